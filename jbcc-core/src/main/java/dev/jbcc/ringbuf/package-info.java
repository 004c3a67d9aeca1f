/**
 * Reading BPF ring buffers ({@code BPF_MAP_TYPE_RINGBUF}, Linux 5.8+) from Java.
 *
 * <p>{@link dev.jbcc.ringbuf.RingBufferReader} reads one ring, {@link dev.jbcc.ringbuf.RingBufferPoller}
 * several through one epoll set. The reader maps the ring the way the kernel lays it out (a
 * writable consumer page, then the read-only producer page and the data pages mapped twice in a
 * row, so that a record running past the end of the ring is contiguous) and hands each committed
 * record to a {@link dev.jbcc.ringbuf.RecordHandler} as a read-only {@link java.lang.foreign.MemorySegment}
 * slice of that mapping: no copy, valid during the callback only. A {@link dev.jbcc.ringbuf.RawRecordHandler}
 * gets the record as an offset and length in one segment over the ring instead, so that reading
 * millions of records a second allocates nothing per record. Records still being written
 * (BUSY) end a batch; discarded records are skipped. The consumer position is published with a
 * release store once per batch.
 *
 * <p><b>No lost counter.</b> Unlike perf buffers, the kernel does not count records a program
 * failed to reserve because the ring was full: {@code bpf_ringbuf_reserve} returns NULL and
 * {@code bpf_ringbuf_output} returns -EAGAIN to the program, which must count them itself (a
 * global variable read through {@code Collection.variable} is the usual way). The exact number
 * of records lost is therefore the program's count.
 *
 * <p>Decoding: {@link dev.jbcc.ringbuf.RecordHandler#decoding} applies a {@link dev.jbcc.Codec},
 * e.g. {@code Codec.ofRecord(Event.class, btf, typeId)}; {@link dev.jbcc.StructView} reads fields
 * by name from the program's BTF without a Java record.
 */
package dev.jbcc.ringbuf;
