package dev.jbcc.internal.sys;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * Socket and namespace system calls (x86-64 Linux) for netlink, packet sockets and
 * {@code setns}, through {@link Libc}'s one {@code syscall()} handle (no downcall shape of their
 * own). Every method returns the system call's result, or {@code -errno} on failure.
 */
public final class Sockets {
    private Sockets() {}

    public static final int AF_UNSPEC = 0, AF_NETLINK = 16, AF_PACKET = 17;
    public static final int SOCK_RAW = 3, SOCK_CLOEXEC = Libc.O_CLOEXEC;
    public static final int SOL_SOCKET = 1, SOL_NETLINK = 270;
    /** setsockopt(SOL_SOCKET, SO_ATTACH_BPF, &progFd): a BPF_PROG_TYPE_SOCKET_FILTER program as the socket's filter. */
    public static final int SO_ATTACH_BPF = 50, SO_DETACH_BPF = 27, SO_RCVBUF = 8;
    public static final int MSG_PEEK = 2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40;
    public static final short POLLIN = 1;
    /** setns(2) namespace type of a network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;

    /** socket(domain, type, protocol): the new fd, or -errno. */
    public static int socket(int domain, int type, int protocol) {
        return (int) Libc.syscall(Libc.SYS_SOCKET, domain, type, protocol, 0, 0, 0);
    }

    /** bind(fd, addr, addr.byteSize()): 0 or -errno. */
    public static int bind(int fd, MemorySegment addr) {
        long rc = Libc.syscall(Libc.SYS_BIND, fd, Libc.address(addr), addr.byteSize(), 0, 0, 0);
        Reference.reachabilityFence(addr);
        return (int) rc;
    }

    /** setsockopt(fd, level, name, value, value.byteSize()): 0 or -errno. */
    public static int setsockopt(int fd, int level, int name, MemorySegment value) {
        long rc = Libc.syscall(Libc.SYS_SETSOCKOPT, fd, level, name, Libc.address(value), value.byteSize(), 0);
        Reference.reachabilityFence(value);
        return (int) rc;
    }

    /** sendto(fd, buf, len, flags, addr, addrlen): bytes sent, or -errno. */
    public static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr) {
        long rc = Libc.syscall(Libc.SYS_SENDTO, fd, Libc.address(buf), len, flags, Libc.address(addr), addr.byteSize());
        Reference.reachabilityFence(buf);
        Reference.reachabilityFence(addr);
        return rc;
    }

    /** recv(fd, buf, len, flags): bytes received (the full datagram length with MSG_TRUNC), or -errno. */
    public static long recv(int fd, MemorySegment buf, long len, int flags) {
        long rc = Libc.syscall(Libc.SYS_RECVFROM, fd, Libc.address(buf), len, flags, 0, 0);
        Reference.reachabilityFence(buf);
        return rc;
    }

    /** poll(fds, nfds, timeoutMs): ready count (0 on timeout), or -errno. {@code fds} holds {@code struct pollfd}s. */
    public static int poll(MemorySegment fds, long nfds, int timeoutMs) {
        long rc = Libc.syscall(Libc.SYS_POLL, Libc.address(fds), nfds, timeoutMs, 0, 0, 0);
        Reference.reachabilityFence(fds);
        return (int) rc;
    }

    /** setns(fd, nstype): moves the calling thread into a namespace; 0 or -errno. */
    public static int setns(int fd, int nstype) {
        return (int) Libc.syscall(Libc.SYS_SETNS, fd, nstype, 0, 0, 0, 0);
    }

    /** open(path, flags, 0): the new fd, or -errno. {@code path} is a NUL-terminated string. */
    public static int open(MemorySegment path, int flags) {
        return Libc.openat(path, flags, 0);
    }
}
