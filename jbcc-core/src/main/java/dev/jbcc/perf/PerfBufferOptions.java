package dev.jbcc.perf;

/**
 * How a {@link PerfBufferReader} sizes its per-CPU rings and when the kernel wakes it.
 *
 * @param pagesPerCpu    data pages per CPU ring, a power of two (the control page comes on top)
 * @param wakeupEvents   wake the reader after this many records ({@code wakeup_events}); 0 if
 *                       {@code watermarkBytes} is used instead
 * @param watermarkBytes wake the reader once this many bytes are unread ({@code wakeup_watermark});
 *                       0 if {@code wakeupEvents} is used
 */
public record PerfBufferOptions(int pagesPerCpu, int wakeupEvents, int watermarkBytes) {
    public PerfBufferOptions {
        if (pagesPerCpu < 1 || Integer.bitCount(pagesPerCpu) != 1)
            throw new IllegalArgumentException("pagesPerCpu must be a power of two >= 1, not " + pagesPerCpu);
        if (wakeupEvents < 0 || watermarkBytes < 0 || (wakeupEvents == 0) == (watermarkBytes == 0))
            throw new IllegalArgumentException("set exactly one of wakeupEvents (" + wakeupEvents + ") and watermarkBytes ("
                    + watermarkBytes + ") to a positive value");
    }

    /** 64 pages (256 KiB with 4 KiB pages) per CPU, woken on every record, as libbpf does. */
    public static PerfBufferOptions defaults() {
        return new PerfBufferOptions(64, 1, 0);
    }

    public PerfBufferOptions withPagesPerCpu(int pages) {
        return new PerfBufferOptions(pages, wakeupEvents, watermarkBytes);
    }

    /** Rings of at least {@code bytes} each: the page count is rounded up to a power of two. */
    public PerfBufferOptions withBytesPerCpu(long bytes, long pageSize) {
        long pages = Math.max(1, (bytes + pageSize - 1) / pageSize);
        long rounded = Long.highestOneBit(pages) == pages ? pages : Long.highestOneBit(pages) << 1;
        if (rounded > 1 << 30) throw new IllegalArgumentException(bytes + " bytes per CPU is too large");
        return withPagesPerCpu((int) rounded);
    }

    /**
     * Wake after every {@code n} records. Fewer records than that are still delivered by
     * {@link PerfBufferReader#poll} once its timeout passes, or by {@link PerfBufferReader#consume}.
     */
    public PerfBufferOptions withWakeupEvents(int n) {
        return new PerfBufferOptions(pagesPerCpu, n, 0);
    }

    /** Wake once {@code bytes} of records are unread: fewer wake-ups under load, more latency. */
    public PerfBufferOptions withWatermark(int bytes) {
        return new PerfBufferOptions(pagesPerCpu, 0, bytes);
    }
}
