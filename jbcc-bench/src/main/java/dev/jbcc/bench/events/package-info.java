/**
 * Ring-buffer and perf-buffer throughput against libbpf (issue 6, figures 1 and 2): the producers
 * of {@code src/main/c/events.bpf.c}, consumed by jbcc's readers here and by {@code events.c}
 * (libbpf), alternately, in one run.
 */
package dev.jbcc.bench.events;
