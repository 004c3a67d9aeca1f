/**
 * Reading BPF perf event arrays ({@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}) from Java: the
 * per-CPU rings that {@code bpf_perf_event_output} writes, as bcc's {@code open_perf_buffer}
 * and libbpf's {@code perf_buffer} read them.
 *
 * <p>{@link dev.jbcc.perf.PerfBufferReader} opens one {@code PERF_COUNT_SW_BPF_OUTPUT} event per
 * online CPU, maps its ring ({@link dev.jbcc.perf.PerfBufferOptions}: pages, wake-up by count or
 * by watermark), stores it in the map and delivers samples with their CPU to a
 * {@link dev.jbcc.perf.SampleHandler} (a segment per sample) or a {@link dev.jbcc.perf.RawSampleHandler}
 * (an offset and length in a segment the reader reuses: no allocation per sample), and losses
 * (PERF_RECORD_LOST) to a
 * {@link dev.jbcc.perf.LostHandler}. Perf rings are not mapped twice, so a record that wraps
 * around the end of a ring is copied into a scratch buffer; all others are read in place.
 *
 * <p>For new programs prefer ring buffers ({@link dev.jbcc.ringbuf}): one ring shared by all
 * CPUs, records in global order, no copy ever, reservations instead of a stack buffer.
 */
package dev.jbcc.perf;
