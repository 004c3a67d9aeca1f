/**
 * The native layer, not exported: the {@code bpf(2)} commands with their {@code bpf_attr}
 * layouts ({@link dev.jbcc.internal.sys.Bpf}, {@code *Attr}), {@code perf_event_open}, ioctl,
 * mmap, epoll and sockets through one FFM downcall to libc's {@code syscall} with errno captured,
 * and {@link dev.jbcc.internal.sys.Fd}, the owned file descriptor every kernel object holds.
 *
 * <p>Uses only {@code dev.jbcc.errors} (it throws {@code SyscallException}); every kernel-facing
 * package of jbcc-core goes through it, and nothing here knows about maps, programs or links.
 */
package dev.jbcc.internal.sys;
