package dev.jbcc.testing;

import dev.jbcc.AttachType;
import dev.jbcc.BpfException;
import dev.jbcc.Program;
import dev.jbcc.ProgramType;
import dev.jbcc.asm.Asm;
import dev.jbcc.asm.Instructions;
import dev.jbcc.asm.Register;
import dev.jbcc.spec.ProgramSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Kernel features that some tests need and the host kernel lacks. Each feature has the JUnit tag
 * that the host build excludes and the VM suite ({@code scripts/vmtest}, Debian's 6.1 kernel)
 * runs, and a probe of the running kernel that answers why the feature is missing, if it is.
 *
 * <p>The probes ask the kernel itself (a PMU, a program load), not a version number: the host
 * kernel is newer than the VM's yet refuses fentry and LSM loads.
 */
public enum KernelFeature {
    /** kprobes and kretprobes through the kprobe PMU (perf_event_open) and tracefs. */
    KPROBES(KernelTags.KPROBES),
    /** fentry/fexit (BPF trampolines) on kernel functions. */
    FENTRY(KernelTags.FENTRY),
    /** BPF LSM programs on active LSM hooks. */
    LSM(KernelTags.LSM);

    private final String tag;

    KernelFeature(String tag) {
        this.tag = tag;
    }

    /** The JUnit tag of tests needing this feature; the root pom's host.excluded.tags lists it. */
    public String tag() {
        return tag;
    }

    private static final ConcurrentMap<KernelFeature, Optional<String>> MISSING = new ConcurrentHashMap<>();

    /** The feature whose tag is {@code tag}, if any. */
    public static Optional<KernelFeature> forTag(String tag) {
        return Arrays.stream(values()).filter(f -> f.tag.equals(tag)).findFirst();
    }

    /** Why the running kernel lacks this feature, or empty when it has it. Probed once per JVM. */
    public Optional<String> missing() {
        return MISSING.computeIfAbsent(this, KernelFeature::probe);
    }

    private static Optional<String> probe(KernelFeature feature) {
        return switch (feature) {
            case KPROBES -> Files.isRegularFile(KPROBE_PMU_TYPE) ? Optional.empty()
                    : Optional.of("no kprobe PMU (" + KPROBE_PMU_TYPE + "): the kernel is built without CONFIG_KPROBES");
            case FENTRY -> loadFails(ProgramType.TRACING, AttachType.TRACE_FENTRY, "bpf_fentry_test1", "an fentry program");
            case LSM -> lsmMissing();
        };
    }

    static final Path KPROBE_PMU_TYPE = Path.of("/sys/bus/event_source/devices/kprobe/type");
    static final Path ACTIVE_LSMS = Path.of("/sys/kernel/security/lsm");

    private static Optional<String> lsmMissing() {
        String active;
        try {
            active = Files.readString(ACTIVE_LSMS).trim();
        } catch (IOException e) {
            return Optional.of("cannot read the active LSMs from " + ACTIVE_LSMS + " (" + e
                    + "); is securityfs mounted there?");
        }
        if (!Arrays.asList(active.split(",")).contains("bpf")) {
            return Optional.of("the BPF LSM is not active (" + ACTIVE_LSMS + ": " + active
                    + "); boot with lsm=...,bpf");
        }
        return loadFails(ProgramType.LSM, AttachType.LSM_MAC, "file_open", "an LSM program");
    }

    /** Loads {@code r0 = 0; exit} as a BTF-attached program; the load is what the host refuses. */
    private static Optional<String> loadFails(ProgramType type, AttachType attach, String target, String what) {
        var code = Instructions.of(Asm.mov64(Register.R0, 0), Asm.exit());
        var spec = ProgramSpec.of("jbcc_probe", type, code).withAttachType(attach).withAttachTarget(target);
        try (Program ignored = Program.load(spec)) {
            return Optional.empty();
        } catch (BpfException | IllegalArgumentException e) {
            return Optional.of("the kernel refuses to load " + what + " on " + target + ": " + e.getMessage());
        }
    }
}
