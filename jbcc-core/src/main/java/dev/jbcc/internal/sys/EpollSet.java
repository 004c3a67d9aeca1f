package dev.jbcc.internal.sys;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * An epoll instance with a built-in eventfd, so that another thread can end a wait early
 * ({@link #wake()}), e.g. to close the reader that owns it. Event readers (ring buffers, perf
 * buffers, trace_pipe) register their descriptors with a {@code long} token and learn which
 * became readable.
 *
 * <p>{@link #await} must be called by one thread at a time (the owning reader serializes its
 * polls); {@link #wake()} and {@link #close()} may be called from any thread. The owner must not
 * close the set while a thread is inside {@link #await}: readers wake the poller and wait for it
 * to leave first.
 */
public final class EpollSet implements AutoCloseable {
    /** The token {@link #token} reports for the wake-up eventfd; callers skip it. */
    public static final long WAKE_TOKEN = -1L;

    /** {@code struct epoll_event} is packed on x86-64: u32 events, then u64 data at offset 4. */
    private static final int EVENT_SIZE = 12;
    private static final ValueLayout.OfInt EVENTS = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong DATA = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong COUNTER = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());

    private final Fd epoll;
    private final Fd wake;
    private final Arena arena;
    private final MemorySegment ready;
    /** For epoll_ctl and the eventfd counter; guarded by {@code this}. */
    private final MemorySegment control;
    /** Only touched by the awaiting thread. */
    private final MemorySegment drain;
    private final int capacity;
    private boolean closed;

    private EpollSet(Fd epoll, Fd wake, Arena arena, int capacity) {
        this.epoll = epoll;
        this.wake = wake;
        this.arena = arena;
        this.capacity = capacity;
        this.ready = arena.allocate((long) EVENT_SIZE * capacity, 8);
        this.control = arena.allocate(16, 8);
        this.drain = arena.allocate(8, 8);
    }

    /**
     * Creates the set with room for {@code capacity} ready descriptors per wait (more become
     * ready on the next wait: epoll rotates through them).
     */
    public static EpollSet create(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        int ep = Libc.epollCreate1(Libc.EPOLL_CLOEXEC);
        if (ep < 0) throw new SyscallException("epoll_create1", -ep);
        Fd epoll = Fd.adopt(ep);
        Fd wake = null;
        Arena arena = Arena.ofShared();
        try {
            int ev = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (ev < 0) throw new SyscallException("eventfd", -ev);
            wake = Fd.adopt(ev);
            // One more slot than asked for, so that the wake-up never crowds out a real event.
            EpollSet set = new EpollSet(epoll, wake, arena, capacity + 1);
            set.add(wake, WAKE_TOKEN);
            return set;
        } catch (Throwable t) {
            arena.close();
            if (wake != null) wake.close();
            epoll.close();
            throw t;
        }
    }

    /** Watches {@code fd} for readability; {@link #token} reports {@code token} when it is. */
    public synchronized void add(Fd fd, long token) {
        if (closed) throw new IllegalStateException("epoll set is closed");
        control.set(EVENTS, 0, Libc.EPOLLIN);
        control.set(DATA, 4, token);
        int rc = Libc.epollCtl(epoll.raw(), Libc.EPOLL_CTL_ADD, fd.raw(), control);
        if (rc < 0) throw new SyscallException("epoll_ctl(EPOLL_CTL_ADD) of " + fd, -rc);
    }

    /**
     * Waits until a descriptor is readable, {@link #wake()} is called, or {@code timeoutMillis}
     * pass (0: do not wait; negative: no limit). A signal does not end the wait early.
     *
     * @return how many entries {@link #token} can report (the wake-up included), 0 on timeout
     */
    public int await(int timeoutMillis) {
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        int timeout = timeoutMillis;
        while (true) {
            int n = Libc.epollWait(epoll.raw(), ready, capacity, timeout);
            if (n >= 0) {
                for (int i = 0; i < n; i++) if (token(i) == WAKE_TOKEN) Libc.read(wake.raw(), drain, 8);
                return n;
            }
            if (n != -Errno.EINTR) throw new SyscallException("epoll_wait", -n);
            if (timeoutMillis > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return 0;
                timeout = (int) Math.max(1, left / 1_000_000L);
            }
        }
    }

    /** The token of the {@code i}th ready entry of the last {@link #await}. */
    public long token(int i) {
        return ready.get(DATA, (long) i * EVENT_SIZE + 4);
    }

    /** Ends a current or the next {@link #await} early. Safe from any thread; does nothing once closed. */
    public synchronized void wake() {
        if (closed) return;
        control.set(COUNTER, 8, 1L);
        long rc = Libc.write(wake.raw(), control.asSlice(8, 8), 8);
        // EAGAIN: the counter is already at its maximum, so the waiter will wake anyway.
        if (rc < 0 && rc != -Errno.EAGAIN) throw new SyscallException("write to eventfd", (int) -rc);
    }

    /** Closes both descriptors and frees the buffers. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        epoll.close();
        wake.close();
        arena.close();
    }
}
