/**
 * The kernel's trace output, where {@code bpf_trace_printk} writes: {@link dev.jbcc.trace.TracePipe}
 * reads lines from the global {@code trace_pipe} or from a private tracing instance, and
 * {@link dev.jbcc.trace.TraceEvent} splits a line into task, pid, CPU, flags, timestamp and
 * message as bcc's {@code trace_fields()} does. For debugging: programs that report data should
 * use a ring buffer.
 */
package dev.jbcc.trace;
