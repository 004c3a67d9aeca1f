package dev.jbcc.testing;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.Errno;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.ProgLoadAttr;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.ProgramType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kernel feature some tests need and the host kernel (6.18, no kprobes, refuses fentry, fexit
 * and LSM loads) lacks. Each has a JUnit tag: the host build excludes these tags
 * ({@code host.excluded.tags} in the root pom) and the VM suite ({@code scripts/vmtest}, Debian's
 * 6.1 kernel) runs them. Tests say what they need with {@link RequiresKprobes},
 * {@link RequiresFentry} or {@link RequiresBpfLsm}; {@link KernelFeatureCheck} fails them, never
 * skips them, on a kernel without the feature.
 */
public enum KernelFeature {
    /** kprobes: the kprobe PMU and tracefs kprobe_events (CONFIG_KPROBES, CONFIG_KPROBE_EVENTS). */
    KPROBES("kprobes", "kprobes (CONFIG_KPROBES with the kprobe PMU, /sys/bus/event_source/devices/kprobe)"),
    /** fentry/fexit programs: the kernel loads a BPF_PROG_TYPE_TRACING program on a kernel function. */
    FENTRY("fentry", "fentry/fexit programs (BPF trampolines: a TRACING program loaded on a kernel function)"),
    /** BPF LSM programs: "bpf" is among the active LSMs and an LSM program on a hook loads. */
    BPF_LSM("lsm", "BPF LSM programs (CONFIG_BPF_LSM with \"bpf\" in lsm=, an LSM program loaded on a hook)"),
    /** Loaded kernel modules with BTF of their own: /sys/kernel/btf/MODULE beside vmlinux. */
    MODULE_BTF("modules", "loaded kernel modules with BTF (CONFIG_DEBUG_INFO_BTF_MODULES, /sys/kernel/btf/MODULE)");

    /** The tag of tests the VM suite excludes: they check behaviour of kernels newer than its 6.1. */
    public static final String HOST_ONLY_TAG = "host-only";

    private final String tag;
    private final String description;

    KernelFeature(String tag, String description) {
        this.tag = tag;
        this.description = description;
    }

    /** The JUnit tag of tests that need this feature. */
    public String tag() {
        return tag;
    }

    public String description() {
        return description;
    }

    /** Whether the running kernel has the feature; probed once per JVM. */
    public boolean isAvailable() {
        return missingReason() == null;
    }

    /** Why the running kernel lacks the feature, or null if it has it. */
    public String missingReason() {
        return switch (this) {
            case KPROBES -> Probes.KPROBES;
            case FENTRY -> Probes.FENTRY;
            case BPF_LSM -> Probes.BPF_LSM;
            case MODULE_BTF -> Probes.MODULE_BTF;
        };
    }

    /** Holder: each probe runs on first use, once. */
    private static final class Probes {
        static final String KPROBES = probeKprobes();
        static final String FENTRY = probeLoad(ProgramType.TRACING, AttachType.TRACE_FENTRY, "bpf_fentry_test1");
        static final String BPF_LSM = probeLsm();
        static final String MODULE_BTF = Btf.kernelModuleNames().isEmpty()
                ? "no module BTF under /sys/kernel/btf (no loadable modules, or none loaded)" : null;

        private static String probeKprobes() {
            return Files.exists(Path.of("/sys/bus/event_source/devices/kprobe/type")) ? null
                    : "no kprobe PMU (/sys/bus/event_source/devices/kprobe)";
        }

        private static String probeLsm() {
            Path lsm = Path.of("/sys/kernel/security/lsm");
            if (Files.isReadable(lsm)) {
                try {
                    String active = Files.readString(lsm).trim();
                    if (!(',' + active + ',').contains(",bpf,")) return "\"bpf\" is not among the active LSMs (" + active + ")";
                } catch (IOException e) {
                    return "cannot read " + lsm + ": " + e.getMessage();
                }
            }
            return probeLoad(ProgramType.LSM, AttachType.LSM_MAC, "bpf_lsm_file_open");
        }

        /** Loads {@code r0 = 0; exit} of {@code type} on kernel function {@code target}. */
        private static String probeLoad(ProgramType type, AttachType attachType, String target) {
            int[] ids = Btf.kernel().lookup(target, BtfType.Func.class);
            if (ids.length == 0) return "no function " + target + " in the kernel's BTF";
            try (Arena arena = Arena.ofConfined()) {
                long[] code = TestPrograms.returning(0);
                MemorySegment insns = arena.allocate(8L * code.length, 8);
                for (int i = 0; i < code.length; i++) {
                    insns.setAtIndex(ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN), i, code[i]);
                }
                var attr = new ProgLoadAttr(arena).progType(type.value()).insns(insns)
                        .license(arena.allocateFrom("GPL")).progName("jbcc_probe")
                        .expectedAttachType(attachType.value()).attachBtfId(ids[0]);
                int fd = Bpf.progLoadErrno(attr);
                if (fd >= 0) {
                    Fd.adopt(fd).close();
                    return null;
                }
                return "the kernel refuses to load " + type + " programs on " + target + ": "
                        + Errno.describe(-fd);
            }
        }
    }
}
