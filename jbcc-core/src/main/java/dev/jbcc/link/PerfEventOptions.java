package dev.jbcc.link;

import dev.jbcc.internal.sys.PerfEventAttr;

/**
 * The perf event a {@link PerfEventLink} samples, and where.
 *
 * @param type      {@code perf_type_id}: {@link #TYPE_HARDWARE}, {@link #TYPE_SOFTWARE}, or a PMU's type
 * @param config    the event within the type (see {@link SoftwareEvent}, {@link HardwareEvent})
 * @param period    sample every {@code period} events (0 when {@code frequency} is used)
 * @param frequency samples per second, the kernel adjusting the period (0 when {@code period} is used)
 * @param tid       only this thread, on any CPU (perf_event_open's pid is a thread id: a process's pid
 *                  names its main thread only), or -1 for every task; to sample a whole process, sample
 *                  every CPU and filter by {@code bpf_get_current_pid_tgid() >> 32} in the program
 * @param cpu       only this CPU, or -1 for every online CPU (one perf event per CPU); with a tid, -1 means any CPU
 * @param cookie    a value for {@code bpf_get_attach_cookie} (5.15+), or 0
 */
public record PerfEventOptions(int type, long config, long period, long frequency, int tid, int cpu, long cookie) {
    public static final int TYPE_HARDWARE = PerfEventAttr.PERF_TYPE_HARDWARE;
    public static final int TYPE_SOFTWARE = PerfEventAttr.PERF_TYPE_SOFTWARE;

    /** {@code enum perf_sw_ids}: events the kernel counts itself, available everywhere. */
    public enum SoftwareEvent {
        CPU_CLOCK, TASK_CLOCK, PAGE_FAULTS, CONTEXT_SWITCHES, CPU_MIGRATIONS, PAGE_FAULTS_MIN, PAGE_FAULTS_MAJ,
        ALIGNMENT_FAULTS, EMULATION_FAULTS, DUMMY, BPF_OUTPUT, CGROUP_SWITCHES
    }

    /** {@code enum perf_hw_id}: CPU counters, which need a hardware PMU (often absent in VMs). */
    public enum HardwareEvent {
        CPU_CYCLES, INSTRUCTIONS, CACHE_REFERENCES, CACHE_MISSES, BRANCH_INSTRUCTIONS, BRANCH_MISSES, BUS_CYCLES,
        STALLED_CYCLES_FRONTEND, STALLED_CYCLES_BACKEND, REF_CPU_CYCLES
    }

    public PerfEventOptions {
        if ((period == 0) == (frequency == 0)) {
            throw new IllegalArgumentException("give a sample period or a sample frequency (exactly one), e.g."
                    + " withSampleFrequency(99)");
        }
        if (period < 0 || frequency < 0) throw new IllegalArgumentException("period and frequency are positive");
        if (tid < -1 || tid == 0) throw new IllegalArgumentException("tid is a thread id, or -1 for all: " + tid);
        if (cpu < -1) throw new IllegalArgumentException("cpu is a CPU number, or -1 for all: " + cpu);
    }

    /** A software event sampled 49 times a second on every online CPU (like bcc's profile default). */
    public static PerfEventOptions software(SoftwareEvent event) {
        return new PerfEventOptions(TYPE_SOFTWARE, event.ordinal(), 0, 49, -1, -1, 0);
    }

    /** A hardware event sampled 49 times a second on every online CPU. */
    public static PerfEventOptions hardware(HardwareEvent event) {
        return new PerfEventOptions(TYPE_HARDWARE, event.ordinal(), 0, 49, -1, -1, 0);
    }

    /** Any event by its {@code perf_event_attr} type and config. */
    public static PerfEventOptions of(int type, long config) {
        return new PerfEventOptions(type, config, 0, 49, -1, -1, 0);
    }

    public PerfEventOptions withSamplePeriod(long period) {
        return new PerfEventOptions(type, config, period, 0, tid, cpu, cookie);
    }

    public PerfEventOptions withSampleFrequency(long hz) {
        return new PerfEventOptions(type, config, 0, hz, tid, cpu, cookie);
    }

    /** Only this thread (a kernel tid, as in /proc/PID/task). */
    public PerfEventOptions withThread(int tid) {
        return new PerfEventOptions(type, config, period, frequency, tid, cpu, cookie);
    }

    public PerfEventOptions withCpu(int cpu) {
        return new PerfEventOptions(type, config, period, frequency, tid, cpu, cookie);
    }

    public PerfEventOptions withCookie(long cookie) {
        return new PerfEventOptions(type, config, period, frequency, tid, cpu, cookie);
    }

    String describe() {
        String event = switch (type) {
            case TYPE_SOFTWARE -> config < SoftwareEvent.values().length ? "software event "
                    + SoftwareEvent.values()[(int) config] : "software event " + config;
            case TYPE_HARDWARE -> config < HardwareEvent.values().length ? "hardware event "
                    + HardwareEvent.values()[(int) config] : "hardware event " + config;
            default -> "perf event type " + type + " config 0x" + Long.toHexString(config);
        };
        return event + (tid > 0 ? " of thread " + tid : "") + (cpu >= 0 ? " on CPU " + cpu : tid > 0 ? "" : " on every CPU");
    }
}
