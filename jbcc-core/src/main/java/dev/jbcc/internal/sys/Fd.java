package dev.jbcc.internal.sys;

import dev.jbcc.errors.SyscallException;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An owned file descriptor for a kernel object (map, program, link, BTF, perf event, epoll).
 *
 * <p>Never holds fd 0: the bpf uapi treats 0 as "no fd" in many attr fields, so a descriptor
 * the kernel hands out as 0 (because stdin was closed) is duplicated to the lowest free number
 * &ge; 1 and the 0 copy closed. {@link #close()} is idempotent and thread-safe. A {@link Cleaner}
 * closes descriptors that become unreachable while open, but only as a safety net: each such
 * leak is counted ({@link #leakedCount()}), logged, and reported by {@link FdTrace}.
 *
 * <p>Closing an Fd while another thread is in a syscall with its number is the caller's race
 * to avoid: the number may be reused by the next open.
 */
public final class Fd implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final LongAdder LEAKED = new LongAdder();
    private static final System.Logger LOG = System.getLogger("dev.jbcc.Fd");

    /** What the Cleaner holds: never a reference back to the Fd, or it would never be collected. */
    static final class State implements Runnable {
        final AtomicInteger raw;

        State(int raw) {
            this.raw = new AtomicInteger(raw);
        }

        /** Runs on explicit close (raw already -1: nothing to do) or when the Fd was collected open. */
        @Override
        public void run() {
            int fd = raw.getAndSet(-1);
            if (fd < 0) return;
            LEAKED.increment();
            Throwable origin = FdTrace.collected(this);
            LOG.log(System.Logger.Level.WARNING,
                    "jbcc: fd " + fd + " was never closed; closing it now (set -Djbcc.fdtrace=true to see where it was opened)",
                    origin);
            Libc.close(fd);
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;

    private Fd(int raw) {
        this.state = new State(raw);
        this.cleanable = CLEANER.register(this, state);
        FdTrace.opened(state);
    }

    /**
     * Takes ownership of a descriptor a syscall just returned.
     *
     * @param raw the descriptor, &ge; 0
     * @throws SyscallException if fd 0 cannot be moved (the 0 is closed either way)
     */
    public static Fd adopt(int raw) {
        if (raw < 0) throw new IllegalArgumentException("not a file descriptor: " + raw);
        if (raw == 0) {
            int moved = Libc.fcntl(0, Libc.F_DUPFD_CLOEXEC, 1);
            Libc.close(0);
            if (moved < 0) throw new SyscallException("fcntl(F_DUPFD_CLOEXEC) of fd 0", -moved);
            raw = moved;
        }
        return new Fd(raw);
    }

    /**
     * The descriptor number, for passing to a syscall.
     *
     * @throws IllegalStateException if closed or disowned
     */
    public int raw() {
        int fd = state.raw.get();
        if (fd < 0) throw new IllegalStateException("file descriptor already closed");
        return fd;
    }

    public boolean isClosed() {
        return state.raw.get() < 0;
    }

    /** A new Fd (close-on-exec, never 0) for the same open file. */
    public Fd dup() {
        int fd = Libc.fcntl(raw(), Libc.F_DUPFD_CLOEXEC, 1);
        if (fd < 0) throw new SyscallException("fcntl(F_DUPFD_CLOEXEC)", -fd);
        return new Fd(fd);
    }

    /**
     * Gives up ownership without closing: the caller becomes responsible for the returned number.
     *
     * @throws IllegalStateException if already closed or disowned
     */
    public int disown() {
        int fd = state.raw.getAndSet(-1);
        if (fd < 0) throw new IllegalStateException("file descriptor already closed");
        cleanable.clean();
        FdTrace.closed(state);
        return fd;
    }

    /** Closes the descriptor; later calls do nothing. */
    @Override
    public void close() {
        int fd = state.raw.getAndSet(-1);
        if (fd < 0) return;
        cleanable.clean();
        FdTrace.closed(state);
        // Linux releases the number even when close(2) reports EINTR or EIO, so there is
        // nothing to retry and nothing the caller could do with an error here.
        Libc.close(fd);
    }

    /** How many Fds the Cleaner had to close because their owner never did. */
    public static long leakedCount() {
        return LEAKED.sum();
    }

    @Override
    public String toString() {
        int fd = state.raw.get();
        return fd < 0 ? "Fd(closed)" : "Fd(" + fd + ")";
    }
}
