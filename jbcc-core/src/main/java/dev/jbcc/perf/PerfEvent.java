package dev.jbcc.perf;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The perf_event uapi pieces a perf buffer reads ({@code include/uapi/linux/perf_event.h}): the
 * ring's control page and record headers, native byte order ({@code perf_event_attr} is
 * {@link dev.jbcc.internal.sys.PerfEventAttr}). PerfBufferTest checks the offsets against the
 * running kernel's BTF.
 */
final class PerfEvent {
    private PerfEvent() {}

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.nativeOrder());

    static final int PERF_RECORD_LOST = 2;
    static final int PERF_RECORD_SAMPLE = 9;

    /** {@code struct perf_event_mmap_page}: the ring's control page, read and written by both sides. */
    static final long MMAP_DATA_HEAD = 1024, MMAP_DATA_TAIL = 1032, MMAP_DATA_OFFSET = 1040, MMAP_DATA_SIZE = 1048;

    /** {@code struct perf_event_header}: u32 type, u16 misc, u16 size. */
    static final long HEADER_TYPE = 0, HEADER_SIZE_FIELD = 6, HEADER_SIZE = 8;
}
