package dev.jbcc.internal.sys;

import dev.jbcc.errors.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * System calls (x86-64 Linux) through libc's {@code syscall()}. The one handle is looked up once
 * and captures {@code errno} so that the value cannot be clobbered by the JVM between the call and
 * our read of it.
 *
 * <p>Each method returns the system call's result; on failure it returns
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

    /*
     * One downcall shape for everything: long f(long × 7), errno captured. A cold JVM spends ~10 ms
     * or more linking each distinct shape (FunctionDescriptor + options: it spins binding classes,
     * which the AOT cache does not keep), while handles of one shape share the linked stub and
     * differ only in the target address. So every system call goes through glibc's syscall(nr, a1..a6)
     * with pointers passed as addresses. glibc's x86-64 syscall() (sysdeps/unix/sysv/linux/x86_64/
     * syscall.S) is assembly that only shifts rdi..r9 and 8(%rsp) into rax, rdi, rsi, rdx, r10, r8,
     * r9, executes `syscall` and turns -4095..-1 into -1 with errno: it never reads %al, so linking
     * it as a non-variadic function (no firstVariadicArg, which would make a shape of its own) is
     * sound, and unused trailing arguments are harmless.
     */
    private static final FunctionDescriptor SHAPE = FunctionDescriptor.of(JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SYSCALL = downcall("syscall");

    // x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
    static final long SYS_READ = 0, SYS_WRITE = 1, SYS_CLOSE = 3, SYS_POLL = 7, SYS_MMAP = 9, SYS_MUNMAP = 11,
            SYS_IOCTL = 16, SYS_SOCKET = 41, SYS_SENDTO = 44, SYS_RECVFROM = 45, SYS_BIND = 49,
            SYS_SETSOCKOPT = 54, SYS_FCNTL = 72, SYS_RMDIR = 84, SYS_MOUNT = 165, SYS_EPOLL_WAIT = 232, SYS_EPOLL_CTL = 233,
            SYS_OPENAT = 257, SYS_EVENTFD2 = 290, SYS_EPOLL_CREATE1 = 291, SYS_SETNS = 308;
    private static final long AT_FDCWD = -100;

    /**
     * sysconf is a libc function, not a system call; linked with the same shape so that it costs no
     * linking of its own. Sound on x86-64 System V: the callee reads its one int from edi and
     * ignores the other registers and the caller-owned stack slot.
     */
    private static final class SysconfHandle {
        static final MethodHandle HANDLE = downcall("sysconf");
    }

    @SuppressWarnings("restricted") // this class is jbcc's one place of native calls
    private static MethodHandle downcall(String name) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, SHAPE, ERRNO_OPTION);
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

    /**
     * syscall(nr, a1..a6): the result, or -errno. Pointer arguments are {@link #address} values;
     * the caller keeps their segments reachable until this returns (every wrapper below does, with
     * {@link Reference#reachabilityFence}).
     */
    static long syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment capture = scratch().errno;
        try {
            long rc = (long) SYSCALL.invokeExact(capture, nr, a1, a2, a3, a4, a5, a6);
            return rc == -1 ? -errno(capture) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The address of a native segment for a system call argument. FFM checked these for an
     * ADDRESS argument; as raw addresses they are checked here: the memory must be off-heap (a
     * heap segment's "address" is an array offset) and its arena still open. FFM also held a shared
     * arena open for the length of the call; callers must not close it from another thread while a
     * call that uses its memory runs (jbcc's readers ensure this with {@link PollGuard}).
     */
    static long address(MemorySegment segment) {
        if (!segment.isNative()) throw new IllegalArgumentException("a system call needs native memory, not a heap segment");
        if (!segment.scope().isAlive()) throw new IllegalStateException("already closed: the memory of a system call argument");
        return segment.address();
    }

    /** bpf(cmd, attr, size): the result (>= 0) or -errno. */
    static long bpf(int cmd, MemorySegment attr, int size) {
        long rc = syscall(SYS_BPF, cmd, address(attr), size, 0, 0, 0);
        Reference.reachabilityFence(attr);
        return rc;
    }

    /** perf_event_open(2): the new fd, or -errno. {@code attr} is a {@code struct perf_event_attr}. */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        long rc = syscall(SYS_PERF_EVENT_OPEN, address(attr), pid, cpu, groupFd, flags, 0);
        Reference.reachabilityFence(attr);
        return (int) rc;
    }

    /** close(2): 0 or -errno. */
    public static int close(int fd) {
        return (int) syscall(SYS_CLOSE, fd, 0, 0, 0, 0, 0);
    }

    /** fcntl(fd, cmd, arg): the result, or -errno. */
    public static int fcntl(int fd, int cmd, int arg) {
        return (int) syscall(SYS_FCNTL, fd, cmd, arg, 0, 0, 0);
    }

    /** ioctl(fd, request, arg): the result, or -errno. Pass pointers as {@code segment.address()}. */
    public static int ioctl(int fd, long request, long arg) {
        return (int) syscall(SYS_IOCTL, fd, request, arg, 0, 0, 0);
    }

    /**
     * mmap(NULL, length, prot, flags, fd, offset). Returns the zero-length mapping address
     * segment; callers reinterpret it with the length and an arena that unmaps it.
     *
     * @throws SyscallException on failure, naming {@code what} (e.g. "mmap BPF map counts")
     */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, String what) {
        long addr = syscall(SYS_MMAP, 0, length, prot, flags, fd, offset);
        // Addresses are never in -4095..-1, where the kernel's errors are.
        if (addr < 0 && addr >= -4095) throw new SyscallException(what, (int) -addr);
        return MemorySegment.ofAddress(addr);
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
        long placeholder = syscall(SYS_MMAP, addr.address(), length, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
        if (placeholder < 0 && placeholder >= -4095) {
            munmap(addr, length);
            return;
        }
        RETIRED.schedule(() -> munmap(addr, length), 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** munmap(addr, length): 0 or -errno. */
    public static int munmap(MemorySegment addr, long length) {
        // The address only: the segment is typically a zero-length view of the mapping, or one
        // whose arena is being closed by this very call.
        return (int) syscall(SYS_MUNMAP, addr.address(), length, 0, 0, 0, 0);
    }

    /** read(2): bytes read, or -errno. */
    public static long read(int fd, MemorySegment buf, long count) {
        long rc = syscall(SYS_READ, fd, address(buf), count, 0, 0, 0);
        Reference.reachabilityFence(buf);
        return rc;
    }

    /** write(2): bytes written, or -errno. */
    public static long write(int fd, MemorySegment buf, long count) {
        long rc = syscall(SYS_WRITE, fd, address(buf), count, 0, 0, 0);
        Reference.reachabilityFence(buf);
        return rc;
    }

    /** epoll_create1(flags): new fd, or -errno. */
    public static int epollCreate1(int flags) {
        return (int) syscall(SYS_EPOLL_CREATE1, flags, 0, 0, 0, 0, 0);
    }

    /** epoll_ctl(epfd, op, fd, event): 0 or -errno. {@code event} is a packed {@code struct epoll_event} (12 bytes). */
    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        long rc = syscall(SYS_EPOLL_CTL, epfd, op, fd, address(event), 0, 0);
        Reference.reachabilityFence(event);
        return (int) rc;
    }

    /** epoll_wait(epfd, events, maxevents, timeoutMs): ready count, or -errno (EINTR included). */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMs) {
        long rc = syscall(SYS_EPOLL_WAIT, epfd, address(events), maxEvents, timeoutMs, 0, 0);
        Reference.reachabilityFence(events);
        return (int) rc;
    }

    /** eventfd(initval, flags): new fd, or -errno. */
    public static int eventfd(int initval, int flags) {
        return (int) syscall(SYS_EVENTFD2, Integer.toUnsignedLong(initval), flags, 0, 0, 0, 0);
    }

    /** sysconf(name); -1 when the name is unknown. */
    public static long sysconf(int name) {
        MemorySegment capture = scratch().errno;
        try {
            return (long) SysconfHandle.HANDLE.invokeExact(capture, (long) name, 0L, 0L, 0L, 0L, 0L, 0L);
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
        return openat(path, flags, 0);
    }

    /** openat(AT_FDCWD, path, flags, mode): the new fd, or -errno. */
    static int openat(MemorySegment path, int flags, int mode) {
        long rc = syscall(SYS_OPENAT, AT_FDCWD, address(path), flags, mode, 0, 0);
        Reference.reachabilityFence(path);
        return (int) rc;
    }

    /** mount(source, target, fstype, flags, NULL): 0 or -errno. Arguments are NUL-terminated strings. */
    public static int mount(MemorySegment source, MemorySegment target, MemorySegment fsType, long flags) {
        long rc = syscall(SYS_MOUNT, address(source), address(target), address(fsType), flags, 0, 0);
        Reference.reachabilityFence(source);
        Reference.reachabilityFence(target);
        Reference.reachabilityFence(fsType);
        return (int) rc;
    }

    /** rmdir(path): 0 or -errno. {@code path} is a NUL-terminated string. */
    public static int rmdir(MemorySegment path) {
        long rc = syscall(SYS_RMDIR, address(path), 0, 0, 0, 0, 0);
        Reference.reachabilityFence(path);
        return (int) rc;
    }
}
