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

    private volatile ValueType eventType;
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
        ValueType type = eventType;
        if (type == null) eventType = type = EventTypes.of(this);
        if (data.byteSize() < type.size()) {
            throw new IllegalArgumentException("a " + data.byteSize() + "-byte record of " + name() + " cannot hold "
                    + type.cName() + " (" + type.size() + " bytes)");
        }
        return Value.copyOf(type, data);
    }
}
