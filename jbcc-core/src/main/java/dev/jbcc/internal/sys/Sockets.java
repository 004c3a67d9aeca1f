package dev.jbcc.internal.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Socket and namespace downcalls into libc (x86-64 Linux) for netlink, packet sockets and
 * {@code setns}. Kept apart from {@link Libc} so that the bpf(2) wrapper stays small; the errno
 * capture buffer is the same per-thread one. Every method returns the C result, or
 * {@code -errno} on failure.
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

    private static final Linker LINKER = Linker.nativeLinker();
    private static final VarHandle ERRNO = Linker.Option.captureStateLayout()
            .varHandle(groupElement("errno")).withInvokeExactBehavior();
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SETNS = downcall("setns",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** int open(const char *path, int flags, ...): the mode is passed as the one variadic int. */
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));

    @SuppressWarnings("restricted") // like Libc, one of jbcc's places of native calls
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO_OPTION;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** socket(domain, type, protocol): the new fd, or -errno. */
    public static int socket(int domain, int type, int protocol) {
        MemorySegment capture = Libc.scratch().errno;
        try {
            int rc = (int) SOCKET.invokeExact(capture, domain, type, protocol);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** bind(fd, addr, addr.byteSize()): 0 or -errno. */
    public static int bind(int fd, MemorySegment addr) {
        MemorySegment capture = Libc.scratch().errno;
        try {
            int rc = (int) BIND.invokeExact(capture, fd, addr, (int) addr.byteSize());
            return rc == 0 ? 0 : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(fd, level, name, value, value.byteSize()): 0 or -errno. */
    public static int setsockopt(int fd, int level, int name, MemorySegment value) {
        MemorySegment capture = Libc.scratch().errno;
        try {
            int rc = (int) SETSOCKOPT.invokeExact(capture, fd, level, name, value, (int) value.byteSize());
            return rc == 0 ? 0 : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sendto(fd, buf, len, flags, addr, addrlen): bytes sent, or -errno. */
    public static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr) {
        MemorySegment capture = Libc.scratch().errno;
        try {
            long rc = (long) SENDTO.invokeExact(capture, fd, buf, len, flags, addr, (int) addr.byteSize());
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recv(fd, buf, len, flags): bytes received (the full datagram length with MSG_TRUNC), or -errno. */
    public static long recv(int fd, MemorySegment buf, long len, int flags) {
        MemorySegment capture = Libc.scratch().errno;
        try {
            long rc = (long) RECV.invokeExact(capture, fd, buf, len, flags);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(fds, nfds, timeoutMs): ready count (0 on timeout), or -errno. {@code fds} holds {@code struct pollfd}s. */
    public static int poll(MemorySegment fds, long nfds, int timeoutMs) {
        MemorySegment capture = Libc.scratch().errno;
        try {
            int rc = (int) POLL.invokeExact(capture, fds, nfds, timeoutMs);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setns(fd, nstype): moves the calling thread into a namespace; 0 or -errno. */
    public static int setns(int fd, int nstype) {
        MemorySegment capture = Libc.scratch().errno;
        try {
            int rc = (int) SETNS.invokeExact(capture, fd, nstype);
            return rc == 0 ? 0 : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** open(path, flags, 0): the new fd, or -errno. {@code path} is a NUL-terminated string. */
    public static int open(MemorySegment path, int flags) {
        MemorySegment capture = Libc.scratch().errno;
        try {
            int rc = (int) OPEN.invokeExact(capture, path, flags, 0);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
