package dev.jbcc.internal.sys;

import dev.jbcc.errors.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;

/**
 * {@code struct perf_event_attr} (include/uapi/linux/perf_event.h, up to {@code config3}:
 * PERF_ATTR_SIZE_VER8, 136 bytes, native byte order) and {@code perf_event_open(2)} with the
 * ioctls that attach and enable BPF programs. Unions are named after their first member:
 * {@code sample_period} also holds {@code sample_freq} (when {@link #FLAG_FREQ} is set),
 * {@code wakeup_events} also {@code wakeup_watermark}, {@code config1} also {@code bp_addr} or a
 * kprobe/uprobe name pointer, {@code config2} also {@code bp_len} or a probe offset.
 *
 * <p>The attr is zeroed on allocation and its {@code size} set; not thread-safe.
 */
public final class PerfEventAttr {
    private static final MemoryLayout U16 = java.lang.foreign.ValueLayout.JAVA_SHORT.withOrder(ByteOrder.nativeOrder());

    public static final StructLayout LAYOUT = structLayout(
            BpfAttr.u32("type"), BpfAttr.u32("size"), BpfAttr.u64("config"), BpfAttr.u64("sample_period"),
            BpfAttr.u64("sample_type"), BpfAttr.u64("read_format"), BpfAttr.u64("flags"),
            BpfAttr.u32("wakeup_events"), BpfAttr.u32("bp_type"), BpfAttr.u64("config1"), BpfAttr.u64("config2"),
            BpfAttr.u64("branch_sample_type"), BpfAttr.u64("sample_regs_user"), BpfAttr.u32("sample_stack_user"),
            BpfAttr.u32("clockid"), BpfAttr.u64("sample_regs_intr"), BpfAttr.u32("aux_watermark"),
            U16.withName("sample_max_stack"), paddingLayout(2), BpfAttr.u32("aux_sample_size"), paddingLayout(4),
            BpfAttr.u64("sig_data"), BpfAttr.u64("config3"));

    public static final long TYPE = BpfAttr.off(LAYOUT, "type"), SIZE = BpfAttr.off(LAYOUT, "size"),
            CONFIG = BpfAttr.off(LAYOUT, "config"), SAMPLE_PERIOD = BpfAttr.off(LAYOUT, "sample_period"),
            SAMPLE_TYPE = BpfAttr.off(LAYOUT, "sample_type"), FLAGS = BpfAttr.off(LAYOUT, "flags"),
            WAKEUP_EVENTS = BpfAttr.off(LAYOUT, "wakeup_events"), CONFIG1 = BpfAttr.off(LAYOUT, "config1"),
            CONFIG2 = BpfAttr.off(LAYOUT, "config2");

    /** {@code enum perf_type_id}. */
    public static final int PERF_TYPE_HARDWARE = 0, PERF_TYPE_SOFTWARE = 1, PERF_TYPE_TRACEPOINT = 2,
            PERF_TYPE_HW_CACHE = 3, PERF_TYPE_RAW = 4, PERF_TYPE_BREAKPOINT = 5;

    /** Bits of the {@code flags} word (the C bitfield starting at {@code disabled}). */
    public static final long FLAG_DISABLED = 1, FLAG_INHERIT = 1 << 1, FLAG_EXCLUDE_USER = 1 << 4,
            FLAG_EXCLUDE_KERNEL = 1 << 5, FLAG_EXCLUDE_HV = 1 << 6, FLAG_EXCLUDE_IDLE = 1 << 7, FLAG_FREQ = 1 << 10,
            FLAG_WATERMARK = 1 << 14;

    /** {@code PERF_COUNT_SW_BPF_OUTPUT}: the software event bpf_perf_event_output() writes to. */
    public static final long PERF_COUNT_SW_BPF_OUTPUT = 10;

    /** {@code sample_type} bit: samples carry the raw record (what a perf buffer reads). */
    public static final long PERF_SAMPLE_RAW = 1L << 10;

    /** perf_event_open flag: the new fd is close-on-exec. */
    public static final long PERF_FLAG_FD_CLOEXEC = 8;

    /** ioctls on a perf event fd. */
    public static final long PERF_EVENT_IOC_ENABLE = 0x2400, PERF_EVENT_IOC_DISABLE = 0x2401,
            PERF_EVENT_IOC_SET_BPF = 0x40042408L;

    final MemorySegment segment;

    public PerfEventAttr(Arena arena) {
        segment = arena.allocate(LAYOUT);
        segment.set(BpfAttr.U32, SIZE, (int) LAYOUT.byteSize());
    }

    public PerfEventAttr type(int type) { segment.set(BpfAttr.U32, TYPE, type); return this; }

    public PerfEventAttr config(long config) { segment.set(BpfAttr.U64, CONFIG, config); return this; }

    /** config1: kprobe/uprobe function or path (a C string pointer), breakpoint address. */
    public PerfEventAttr config1(long config1) { segment.set(BpfAttr.U64, CONFIG1, config1); return this; }

    /** config2: kprobe/uprobe offset or address, breakpoint length. */
    public PerfEventAttr config2(long config2) { segment.set(BpfAttr.U64, CONFIG2, config2); return this; }

    /** One sample every {@code period} events. */
    public PerfEventAttr samplePeriod(long period) {
        segment.set(BpfAttr.U64, SAMPLE_PERIOD, period);
        return this;
    }

    /** {@code hz} samples a second: the kernel adjusts the period (sets the {@code freq} bit). */
    public PerfEventAttr sampleFrequency(long hz) {
        segment.set(BpfAttr.U64, SAMPLE_PERIOD, hz);
        return orFlags(FLAG_FREQ);
    }

    public PerfEventAttr sampleType(long sampleType) { segment.set(BpfAttr.U64, SAMPLE_TYPE, sampleType); return this; }

    public PerfEventAttr orFlags(long flags) {
        segment.set(BpfAttr.U64, FLAGS, segment.get(BpfAttr.U64, FLAGS) | flags);
        return this;
    }

    public PerfEventAttr wakeupEvents(int n) { segment.set(BpfAttr.U32, WAKEUP_EVENTS, n); return this; }

    /** Wake the reader once {@code bytes} are in the ring rather than after a number of events. */
    public PerfEventAttr wakeupWatermark(int bytes) {
        segment.set(BpfAttr.U32, WAKEUP_EVENTS, bytes); // a union with wakeup_events
        return orFlags(FLAG_WATERMARK);
    }

    public MemorySegment segment() {
        return segment;
    }

    /** perf_event_open(2) with {@link #PERF_FLAG_FD_CLOEXEC}: the raw fd, or -errno for callers that explain errors. */
    public int openErrno(int pid, int cpu, int groupFd) {
        return Libc.perfEventOpen(segment, pid, cpu, groupFd, PERF_FLAG_FD_CLOEXEC);
    }

    /**
     * perf_event_open(2) with {@link #PERF_FLAG_FD_CLOEXEC}.
     *
     * @param what names the event in the exception, e.g. "tracepoint syscalls:sys_enter_openat"
     */
    public Fd open(int pid, int cpu, int groupFd, String what, String hint) {
        int fd = openErrno(pid, cpu, groupFd);
        if (fd < 0) throw new SyscallException("perf_event_open (" + what + ")", -fd, hint);
        return Fd.adopt(fd);
    }

    /** PERF_EVENT_IOC_SET_BPF: runs {@code prog} on every event until the perf event is closed. */
    public static int setBpfErrno(Fd perfEvent, Fd prog) {
        return Libc.ioctl(perfEvent.raw(), PERF_EVENT_IOC_SET_BPF, prog.raw());
    }

    /** PERF_EVENT_IOC_ENABLE. */
    public static void enable(Fd perfEvent) {
        int rc = Libc.ioctl(perfEvent.raw(), PERF_EVENT_IOC_ENABLE, 0);
        if (rc < 0) throw new SyscallException("ioctl(PERF_EVENT_IOC_ENABLE)", -rc);
    }

    /** PERF_EVENT_IOC_DISABLE. */
    public static void disable(Fd perfEvent) {
        int rc = Libc.ioctl(perfEvent.raw(), PERF_EVENT_IOC_DISABLE, 0);
        if (rc < 0) throw new SyscallException("ioctl(PERF_EVENT_IOC_DISABLE)", -rc);
    }
}
