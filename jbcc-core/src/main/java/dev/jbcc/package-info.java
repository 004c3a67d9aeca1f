/**
 * Kernel objects: {@link dev.jbcc.Collection} (loaded from a {@code dev.jbcc.spec.CollectionSpec}
 * by the all-or-nothing loader, with CO-RE, kconfig and ksyms resolved against the running
 * kernel), {@link dev.jbcc.Program} and {@link dev.jbcc.BpfMap} (each owns a file descriptor and
 * closes it), the typed map views ({@link dev.jbcc.TypedMap}, {@link dev.jbcc.PerCpuMap},
 * {@link dev.jbcc.TypedQueue}), {@link dev.jbcc.Codec}s and {@link dev.jbcc.StructView} for map
 * values and event records, and what is read from the running kernel ({@link dev.jbcc.features.KernelVersion},
 * {@link dev.jbcc.KernelConfig}).
 *
 * <p>Uses the object model (module {@code dev.jbcc.obj}), {@code dev.jbcc.features} and
 * {@code dev.jbcc.internal.sys}; the attach kinds ({@code link}) and the event readers
 * ({@code ringbuf}, {@code perf}) are built on it, never the reverse.
 */
package dev.jbcc;
