package dev.jbcc;

import java.time.Duration;
import dev.jbcc.spec.BpfFlags;

/**
 * Input for {@link Program#testRun}: what {@code BPF_PROG_TEST_RUN} feeds a program. Packet
 * programs (XDP, TC, socket filters) take {@code data}; raw tracepoint and syscall programs take a
 * {@code context}.
 *
 * @param data           packet bytes, or null
 * @param dataOutSize    room for the packet as the program left it (0: not wanted)
 * @param context        context bytes (e.g. {@code struct __sk_buff}, raw tracepoint args), or null
 * @param contextOutSize room for the context as the program left it (0: not wanted)
 * @param repeat         how many runs (0 and 1 both mean once); the duration is their mean
 * @param flags          BPF_F_TEST_RUN_ON_CPU, BPF_F_TEST_XDP_LIVE_FRAMES, …
 * @param cpu            the CPU with BPF_F_TEST_RUN_ON_CPU
 */
public record TestRun(byte[] data, int dataOutSize, byte[] context, int contextOutSize, int repeat, int flags, int cpu) {
    /** A packet, with room for the packet the program returns. */
    public static TestRun packet(byte[] data) {
        return new TestRun(data, data.length + 256, null, 0, 1, 0, 0);
    }

    /**
     * A context, for programs that take one (raw tracepoints: their u64 arguments). Repeat is 0:
     * the kernel runs raw tracepoint programs once and refuses any repeat count.
     */
    public static TestRun context(byte[] context) {
        return new TestRun(null, 0, context, 0, 0, 0, 0);
    }

    public TestRun withRepeat(int repeat) {
        return new TestRun(data, dataOutSize, context, contextOutSize, repeat, flags, cpu);
    }

    public TestRun onCpu(int cpu) {
        return new TestRun(data, dataOutSize, context, contextOutSize, repeat, flags | BpfFlags.BPF_F_TEST_RUN_ON_CPU, cpu);
    }

    /** What a run gave back: the program's return value, output buffers and mean run time. */
    public record Result(int returnValue, byte[] data, byte[] context, Duration duration) {}
}
