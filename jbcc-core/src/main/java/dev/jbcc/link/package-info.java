/**
 * Attaching programs to kernel hooks: one {@link dev.jbcc.link.Link} type per kind (kprobes,
 * uprobes, USDT, tracepoints, raw tracepoints, fentry/fexit, LSM, iterators, cgroups, perf events,
 * XDP, TC, tcx, socket filters), each with an options record and a {@code close()} that detaches
 * and leaves the system as it was; {@link dev.jbcc.link.Links#attachAll} attaches a collection by
 * its section names. Pinning and {@link dev.jbcc.link.LinkInfo} work on every bpf_link kind.
 *
 * <p>The top layer of jbcc-core: uses kernel objects ({@code dev.jbcc}), {@code features},
 * {@code internal.sys}, {@code netlink}, {@code trace} (tracefs), {@code usdt} and {@code symbols}
 * (resolving probe targets) and the object model; nothing in jbcc-core uses it.
 */
package dev.jbcc.link;
