package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

import java.lang.foreign.MemorySegment;

/**
 * bcc's RingBuf (BPF_RINGBUF_OUTPUT): records the program output, reserved or submitted, read
 * after {@link #openRingBuffer} by {@link BPF#ringBufferPoll} or {@link BPF#ringBufferConsume}.
 */
public final class RingBuf extends Table {
    /** Receives each record: its bytes (valid during the call) and their count. */
    @FunctionalInterface
    public interface Callback {
        void onEvent(MemorySegment data, int size);
    }

    private final EventDecoder events = new EventDecoder(this);
    private boolean open;

    RingBuf(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    /** Maps the ring; {@link BPF#ringBufferPoll} delivers its records to {@code callback} from now on. */
    public synchronized void openRingBuffer(Callback callback) {
        if (open) throw new IllegalStateException("table " + name() + " already has an open ring buffer");
        bpf.ringBufferPoller().add(map, record -> callback.onEvent(record, (int) record.byteSize()));
        open = true;
    }

    /** The record as the struct the program output (bcc's {@code event(data)}), copied. */
    public Value event(MemorySegment data) {
        return events.decode(data);
    }
}
