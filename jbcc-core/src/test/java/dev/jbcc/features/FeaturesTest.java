package dev.jbcc.features;

import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.spec.MapType;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Probes against the running kernel: what its version promises must be found, what is made up must not. */
@ExtendWith(FdLeakCheck.class)
class FeaturesTest {
    /** enum bpf_func_id values, from include/uapi/linux/bpf.h. */
    private static final int BPF_FUNC_MAP_LOOKUP_ELEM = 1, BPF_FUNC_KTIME_GET_NS = 5, BPF_FUNC_GET_STACKID = 27,
            BPF_FUNC_RINGBUF_OUTPUT = 130;
    private static final int MADE_UP_HELPER = 100_000;

    /** Program types that depend on a build option (not only a version) or cannot be probed on this host. */
    private static final Set<ProgramType> CONFIG_DEPENDENT =
            EnumSet.of(ProgramType.UNSPEC, ProgramType.LIRC_MODE2, ProgramType.EXT, ProgramType.LSM);

    private static int[] version(String v) {
        String[] parts = v.split("[^0-9]+");
        return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
    }

    private static boolean atLeast(String running, String minimum) {
        int[] r = version(running), m = version(minimum);
        return r[0] != m[0] ? r[0] > m[0] : r[1] >= m[1];
    }

    private static String runningKernel() throws Exception {
        return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    }

    /**
     * A type the kernel version promises is found, or refused to this fully privileged process
     * by the kernel's policy or build (some builds of 6.18.44 refuse ARENA maps to root with
     * EPERM): then the answer says so, and never blames privilege. A kernel that does not know a
     * promised type (EINVAL) fails the test.
     */
    @Test
    void everyMapTypeThisKernelVersionPromisesIsFound() throws Exception {
        String kernel = runningKernel();
        for (MapType type : MapType.values()) {
            if (type == MapType.UNSPEC) continue;
            if (!atLeast(kernel, type.minimumKernel())) continue;
            assertFoundOrRefusedByPolicy(type + " exists since " + type.minimumKernel() + ", running " + kernel,
                    Features.mapType(type));
        }
        assertFalse(Features.haveMapType(MapType.UNSPEC));
    }

    private static final int EPERM = 1;

    /** Available, or refused with EPERM to this fully privileged process, with the reason (printed). */
    private static void assertFoundOrRefusedByPolicy(String what, Features.Answer answer) {
        if (answer.available()) return;
        assertEquals(EPERM, answer.errno(), what + ": " + answer);
        assertTrue(answer.reason().contains("although this process has CAP_BPF"), what + ": " + answer);
        System.err.println("FeaturesTest: " + what + ": " + answer);
    }

    /** Runs {@link ProbeChild} in a child JVM; its one line of output. */
    private static String probeInChild(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ProbeChild.class.getName(), mode)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** EPERM to a thread with every capability (here from a seccomp filter) is a "no" with the reason. */
    @Test
    void aRefusalNoCapabilityExplainsIsAnAnswerWithItsReason() throws Exception {
        String out = probeInChild("seccomp");
        assertTrue(out.startsWith("answer available=false errno=1 "), out);
        assertTrue(out.contains("although this process has CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN"), out);
        assertFalse(out.contains("run as root"), out);
    }

    /** EPERM to a thread without CAP_BPF is inconclusive, and the exception names what is missing. */
    @Test
    void aRefusalForWantOfACapabilityNamesIt() throws Exception {
        String out = probeInChild("drop-caps");
        assertTrue(out.startsWith("threw SyscallException errno=1: "), out);
        assertTrue(out.contains("lacks CAP_BPF ("), out); // CAP_BPF, and only it, named as missing
    }

    @Test
    void everyProgramTypeThisKernelVersionPromisesIsFound() throws Exception {
        String kernel = runningKernel();
        for (ProgramType type : ProgramType.values()) {
            if (CONFIG_DEPENDENT.contains(type)) continue;
            if (!atLeast(kernel, type.minimumKernel())) continue;
            assertFoundOrRefusedByPolicy(type + " exists since " + type.minimumKernel() + ", running " + kernel,
                    Features.programType(type));
        }
    }

    @Test
    void ringbufExists() {
        assertTrue(Features.haveMapType(MapType.RINGBUF));
        Features.requireMapType(MapType.RINGBUF);
    }

    @Test
    void helpersAreFoundOrNot() {
        assertTrue(Features.haveHelper(ProgramType.SOCKET_FILTER, BPF_FUNC_MAP_LOOKUP_ELEM));
        assertTrue(Features.haveHelper(ProgramType.SOCKET_FILTER, BPF_FUNC_KTIME_GET_NS));
        assertTrue(Features.haveHelper(ProgramType.XDP, BPF_FUNC_RINGBUF_OUTPUT));
        assertFalse(Features.haveHelper(ProgramType.SOCKET_FILTER, MADE_UP_HELPER));
        // Exists, but tracing-only: socket filters may not call it.
        assertFalse(Features.haveHelper(ProgramType.SOCKET_FILTER, BPF_FUNC_GET_STACKID));
        assertTrue(Features.haveHelper(ProgramType.KPROBE, BPF_FUNC_GET_STACKID));
    }

    @Test
    void requireHelperNamesWhatIsMissing() {
        var e = assertThrows(UnsupportedFeatureException.class,
                () -> Features.requireHelper(ProgramType.SOCKET_FILTER, MADE_UP_HELPER));
        assertTrue(e.getMessage().contains("#" + MADE_UP_HELPER), e.getMessage());
        assertTrue(e.getMessage().contains("SOCKET_FILTER"), e.getMessage());
        Features.requireHelper(ProgramType.SOCKET_FILTER, BPF_FUNC_MAP_LOOKUP_ELEM);
    }

    @Test
    void requireProgramTypeNamesTheMinimumKernel() {
        Features.requireProgramType(ProgramType.XDP);
        // LIRC_MODE2 depends on CONFIG_BPF_LIRC_MODE2; if this kernel lacks it the exception says what is needed.
        if (!Features.haveProgramType(ProgramType.LIRC_MODE2)) {
            var e = assertThrows(UnsupportedFeatureException.class, () -> Features.requireProgramType(ProgramType.LIRC_MODE2));
            assertEquals("4.18", e.minimumKernel());
            assertTrue(e.getMessage().contains("BPF_PROG_TYPE_LIRC_MODE2"), e.getMessage());
        } else {
            Features.requireProgramType(ProgramType.LIRC_MODE2);
        }
    }

    @Test
    void commandsAreProbed() {
        assertTrue(Features.haveMapFreeze());
        assertTrue(Features.haveBatchOps());
    }

    @Test
    void answersAreCached() {
        boolean first = Features.haveHelper(ProgramType.SOCKET_FILTER, MADE_UP_HELPER);
        assertEquals(first, Features.haveHelper(ProgramType.SOCKET_FILTER, MADE_UP_HELPER));
    }

    @Test
    void btfKindsAreAcceptedFromTheKernelVersionThatAddedThem() {
        var has = Features.btfFeatures();
        var kernel = dev.jbcc.features.KernelVersion.current();
        assertEquals(kernel.atLeast(5, 2), has.datasec(), "VAR and DATASEC: 5.2");
        assertEquals(kernel.atLeast(5, 0), has.func(), "FUNC: 5.0");
        assertEquals(kernel.atLeast(5, 6), has.funcGlobal(), "global FUNC: 5.6");
        assertEquals(kernel.atLeast(5, 13), has.floats(), "FLOAT: 5.13");
        assertEquals(kernel.atLeast(5, 16), has.declTag(), "DECL_TAG: 5.16");
        assertEquals(kernel.atLeast(5, 17), has.typeTag(), "TYPE_TAG: 5.17");
        assertEquals(kernel.atLeast(6, 0), has.enum64(), "ENUM64: 6.0");
    }
}
