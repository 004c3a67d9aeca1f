package dev.jbcc.internal.sys;

import dev.jbcc.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into libc (x86-64 Linux). Every handle is looked up once and captures {@code errno}
 * so that the value cannot be clobbered by the JVM between the call and our read of it.
 *
 * <p>Each method returns the C result; on failure (-1 or MAP_FAILED) it returns
 * {@code -errno} (for int results) or throws {@link SyscallException} (for the typed helpers
 * ending in {@code OrThrow}). The errno capture buffer is per thread, so all methods are
 * thread-safe.
 */
public final class Libc {
    private Libc() {}

    public static final long SYS_BPF = 321;
    public static final long SYS_PERF_EVENT_OPEN = 298;

    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int O_CLOEXEC = 0x80000, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 0x800;
    public static final int PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int EPOLL_CLOEXEC = O_CLOEXEC;
    public static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 1;
    public static final int EFD_CLOEXEC = O_CLOEXEC, EFD_NONBLOCK = O_NONBLOCK;
    public static final int SC_PAGESIZE = 30, SC_NPROCESSORS_CONF = 83, SC_NPROCESSORS_ONLN = 84;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(groupElement("errno")).withInvokeExactBehavior();

    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    /** long syscall(long nr, int cmd, void *attr, unsigned int size): bpf(2). */
    private static final MethodHandle SYSCALL_BPF = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1), ERRNO_OPTION);
    /** long syscall(long nr, struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd, unsigned long flags). */
    private static final MethodHandle SYSCALL_PERF_EVENT_OPEN = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), ERRNO_OPTION);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    /** int ioctl(int fd, unsigned long request, unsigned long arg). */
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2), ERRNO_OPTION);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO_OPTION);
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    private static final MethodHandle SYSCONF = downcall("sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT), ERRNO_OPTION);

    // Handles that few tools need are linked on first use, each in its own holder class (so the
    // handle stays a constant for the JIT): every distinct downcall shape costs a cold JVM several
    // milliseconds to link, which `jbcc opensnoop`'s start-up measures.
    private static final class FcntlHandle {
        static final MethodHandle HANDLE = downcall("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2), ERRNO_OPTION);
    }
    private static final class ReadHandle {
        static final MethodHandle HANDLE = downcall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    }
    private static final class WriteHandle {
        static final MethodHandle HANDLE = downcall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPTION);
    }
    private static final class EventfdHandle {
        static final MethodHandle HANDLE = downcall("eventfd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPTION);
    }
    /** int open(const char *path, int flags, ...): called without a mode (no O_CREAT). */
    private static final class OpenHandle {
        static final MethodHandle HANDLE = downcall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPTION);
    }
    /** int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data). */
    private static final class MountHandle {
        static final MethodHandle HANDLE = downcall("mount",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), ERRNO_OPTION);
    }

    /** MAP_FAILED, i.e. (void *) -1. */
    private static final long MAP_FAILED = -1L;

    @SuppressWarnings("restricted") // this class is jbcc's one place of native calls
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /**
     * Per-thread memory for errno capture and for the {@code bpf_attr} of simple commands, so
     * that no call allocates. Safe because nothing runs on a thread between filling these and
     * reading them back.
     */
    static final class Scratch {
        final MemorySegment errno;
        final MemorySegment attr;

        private Scratch() {
            Arena arena = Arena.ofAuto();
            errno = arena.allocate(CAPTURE_LAYOUT);
            attr = arena.allocate(BpfAttr.UNION_SIZE, 8);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** bpf(cmd, attr, size): the result (>= 0) or -errno. */
    static long bpf(int cmd, MemorySegment attr, int size) {
        MemorySegment capture = scratch().errno;
        try {
            long rc = (long) SYSCALL_BPF.invokeExact(capture, SYS_BPF, cmd, attr, size);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** perf_event_open(2): the new fd, or -errno. {@code attr} is a {@code struct perf_event_attr}. */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        MemorySegment capture = scratch().errno;
        try {
            long rc = (long) SYSCALL_PERF_EVENT_OPEN.invokeExact(capture, SYS_PERF_EVENT_OPEN, attr, pid, cpu, groupFd, flags);
            return rc >= 0 ? (int) rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(2): 0 or -errno. */
    public static int close(int fd) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) CLOSE.invokeExact(capture, fd);
            return rc == 0 ? 0 : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fcntl(fd, cmd, arg): the result, or -errno. */
    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) FcntlHandle.HANDLE.invokeExact(capture, fd, cmd, arg);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl(fd, request, arg): the result, or -errno. Pass pointers as {@code segment.address()}. */
    public static int ioctl(int fd, long request, long arg) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) IOCTL.invokeExact(capture, fd, request, arg);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * mmap(NULL, length, prot, flags, fd, offset). Returns the zero-length mapping address
     * segment; callers reinterpret it with the length and an arena that unmaps it.
     *
     * @throws SyscallException on failure, naming {@code what} (e.g. "mmap BPF map counts")
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, String what) {
        MemorySegment capture = scratch().errno;
        try {
            MemorySegment addr = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, flags, fd, offset);
            if (addr.address() == MAP_FAILED) throw new SyscallException(what, errno(capture));
            return addr;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final int MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
    private static final java.util.concurrent.ScheduledExecutorService RETIRED = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("jbcc-unmap").factory());

    /**
     * Unmaps a mapping that other threads may still be reading: the pages are first replaced in
     * place by anonymous read-only zero pages (which releases the kernel object at once), and the
     * placeholder is unmapped a second later. A read racing with an arena's close, which the JDK
     * cannot always stop in time, then sees zeros instead of a SIGSEGV that kills the JVM.
     */
    public static void retire(MemorySegment addr, long length) {
        MemorySegment capture = scratch().errno;
        try {
            MemorySegment placeholder = (MemorySegment) MMAP.invokeExact(capture, addr, length, PROT_READ,
                    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0L);
            if (placeholder.address() == MAP_FAILED) {
                munmap(addr, length);
                return;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        RETIRED.schedule(() -> munmap(addr, length), 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** munmap(addr, length): 0 or -errno. */
    public static int munmap(MemorySegment addr, long length) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) MUNMAP.invokeExact(capture, addr, length);
            return rc == 0 ? 0 : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2): bytes read, or -errno. */
    public static long read(int fd, MemorySegment buf, long count) {
        MemorySegment capture = scratch().errno;
        try {
            long rc = (long) ReadHandle.HANDLE.invokeExact(capture, fd, buf, count);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2): bytes written, or -errno. */
    public static long write(int fd, MemorySegment buf, long count) {
        MemorySegment capture = scratch().errno;
        try {
            long rc = (long) WriteHandle.HANDLE.invokeExact(capture, fd, buf, count);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_create1(flags): new fd, or -errno. */
    public static int epollCreate1(int flags) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) EPOLL_CREATE1.invokeExact(capture, flags);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_ctl(epfd, op, fd, event): 0 or -errno. {@code event} is a packed {@code struct epoll_event} (12 bytes). */
    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) EPOLL_CTL.invokeExact(capture, epfd, op, fd, event);
            return rc == 0 ? 0 : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_wait(epfd, events, maxevents, timeoutMs): ready count, or -errno (EINTR included). */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMs) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) EPOLL_WAIT.invokeExact(capture, epfd, events, maxEvents, timeoutMs);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** eventfd(initval, flags): new fd, or -errno. */
    public static int eventfd(int initval, int flags) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) EventfdHandle.HANDLE.invokeExact(capture, initval, flags);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sysconf(name); -1 when the name is unknown. */
    public static long sysconf(int name) {
        MemorySegment capture = scratch().errno;
        try {
            return (long) SYSCONF.invokeExact(capture, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static final class PageSize {
        static final long VALUE = sysconf(SC_PAGESIZE);
    }

    /** The system page size in bytes. */
    public static long pageSize() {
        return PageSize.VALUE;
    }

    /** open(path, flags) for an existing file: the new fd, or -errno. {@code path} is a NUL-terminated string. */
    public static int open(MemorySegment path, int flags) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) OpenHandle.HANDLE.invokeExact(capture, path, flags);
            return rc >= 0 ? rc : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mount(source, target, fstype, flags, NULL): 0 or -errno. Arguments are NUL-terminated strings. */
    public static int mount(MemorySegment source, MemorySegment target, MemorySegment fsType, long flags) {
        MemorySegment capture = scratch().errno;
        try {
            int rc = (int) MountHandle.HANDLE.invokeExact(capture, source, target, fsType, flags, MemorySegment.NULL);
            return rc == 0 ? 0 : -errno(capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
