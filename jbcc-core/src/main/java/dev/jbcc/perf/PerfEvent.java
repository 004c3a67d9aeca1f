package dev.jbcc.perf;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * The perf_event uapi pieces a perf buffer needs ({@code include/uapi/linux/perf_event.h}),
 * native byte order. PerfEventLayoutTest checks every offset against the running kernel's BTF.
 */
final class PerfEvent {
    private PerfEvent() {}

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.nativeOrder());

    static final int PERF_TYPE_SOFTWARE = 1;
    static final long PERF_COUNT_SW_BPF_OUTPUT = 10;
    static final long PERF_SAMPLE_RAW = 1L << 10;
    static final long PERF_FLAG_FD_CLOEXEC = 1L << 3;
    /** Bit 14 of the attr flags word: wake up by {@code wakeup_watermark} bytes, not events. */
    static final long ATTR_FLAG_WATERMARK = 1L << 14;

    static final int PERF_RECORD_LOST = 2;
    static final int PERF_RECORD_SAMPLE = 9;

    /** _IO('$', 0) and _IO('$', 1). */
    static final long PERF_EVENT_IOC_ENABLE = 0x2400, PERF_EVENT_IOC_DISABLE = 0x2401;

    /** {@code struct perf_event_attr} up to {@code config3} (PERF_ATTR_SIZE_VER8, 136 bytes). */
    static final StructLayout ATTR = MemoryLayout.structLayout(
            U32.withName("type"), U32.withName("size"),
            U64.withName("config"),
            U64.withName("sample_period"),     // union with sample_freq
            U64.withName("sample_type"),
            U64.withName("read_format"),
            U64.withName("flags"),             // the bitfield word: disabled, inherit, ..., watermark (bit 14), ...
            U32.withName("wakeup_events"),     // union with wakeup_watermark
            U32.withName("bp_type"),
            U64.withName("config1"),
            U64.withName("config2"),
            U64.withName("branch_sample_type"),
            U64.withName("sample_regs_user"),
            U32.withName("sample_stack_user"), U32.withName("clockid"),
            U64.withName("sample_regs_intr"),
            U32.withName("aux_watermark"), U16.withName("sample_max_stack"), U16.withName("__reserved_2"),
            U32.withName("aux_sample_size"), U32.withName("__reserved_3"),
            U64.withName("sig_data"),
            U64.withName("config3"));

    static final long ATTR_TYPE = offset(ATTR, "type"), ATTR_SIZE = offset(ATTR, "size"),
            ATTR_CONFIG = offset(ATTR, "config"), ATTR_SAMPLE_PERIOD = offset(ATTR, "sample_period"),
            ATTR_SAMPLE_TYPE = offset(ATTR, "sample_type"), ATTR_FLAGS = offset(ATTR, "flags"),
            ATTR_WAKEUP = offset(ATTR, "wakeup_events");

    /** {@code struct perf_event_mmap_page}: the ring's control page, read and written by both sides. */
    static final long MMAP_DATA_HEAD = 1024, MMAP_DATA_TAIL = 1032, MMAP_DATA_OFFSET = 1040, MMAP_DATA_SIZE = 1048;

    /** {@code struct perf_event_header}: u32 type, u16 misc, u16 size. */
    static final long HEADER_TYPE = 0, HEADER_SIZE_FIELD = 6, HEADER_SIZE = 8;

    private static long offset(StructLayout layout, String name) {
        return layout.byteOffset(groupElement(name));
    }
}
