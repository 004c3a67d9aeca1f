package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;
import dev.jbcc.perf.PerfBufferOptions;
import dev.jbcc.perf.PerfBufferReader;

import java.lang.foreign.MemorySegment;
import java.util.function.LongConsumer;

/**
 * bcc's PerfEventArray (BPF_PERF_OUTPUT): what {@code table.perf_submit(ctx, &data, size)} sends,
 * read per CPU after {@link #openPerfBuffer} by {@link BPF#perfBufferPoll}. {@link #event}
 * decodes a record as the struct the C code submitted.
 */
public final class PerfEventArray extends Table {
    /** Receives each record: the CPU it came from, its bytes (valid during the call) and their count. */
    @FunctionalInterface
    public interface Callback {
        void onEvent(int cpu, MemorySegment data, int size);
    }

    private final EventDecoder events = new EventDecoder(this);
    private PerfBufferReader reader;

    PerfEventArray(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    /** {@link #openPerfBuffer(Callback, int, LongConsumer)} with bcc's 8 pages per CPU and lost records only counted. */
    public void openPerfBuffer(Callback callback) {
        openPerfBuffer(callback, 8, null);
    }

    /**
     * Opens a ring per online CPU ({@code pageCount} pages each, a power of two) and stores
     * them in the table; {@link BPF#perfBufferPoll} then delivers records to {@code callback}.
     *
     * @param lost told how many records a CPU's full ring dropped; null to only count them
     */
    public synchronized void openPerfBuffer(Callback callback, int pageCount, LongConsumer lost) {
        if (pageCount <= 0 || Integer.bitCount(pageCount) != 1) {
            throw new IllegalArgumentException("perf buffer page count must be a power of two, not " + pageCount);
        }
        if (reader != null) throw new IllegalStateException("table " + name() + " already has an open perf buffer");
        PerfBufferOptions options = PerfBufferOptions.defaults().withPagesPerCpu(pageCount);
        reader = PerfBufferReader.open(map, options, (cpu, data) -> callback.onEvent(cpu, data, (int) data.byteSize()),
                lost == null ? null : (cpu, count) -> lost.accept(count));
        bpf.registerPerfReader(reader);
    }

    /** Lost records counted since the buffer opened. */
    public long lostCount() {
        PerfBufferReader r = reader;
        return r == null ? 0 : r.lostCount();
    }

    /**
     * The record as the struct the program submitted ({@code perf_submit(ctx, &data, sizeof(data))}),
     * copied: bcc's {@code event(data)}.
     *
     * @throws IllegalStateException if no submission in the program names a type jbcc can find
     */
    public Value event(MemorySegment data) {
        return events.decode(data);
    }
}
