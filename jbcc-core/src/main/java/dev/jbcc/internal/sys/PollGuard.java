package dev.jbcc.internal.sys;

import dev.jbcc.errors.AlreadyClosedException;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The close protocol shared by jbcc's event readers, after Lucene's memory-mapped inputs: the
 * reader's mappings and descriptors are released by whoever holds the poll lock once the reader
 * is closed, so no thread ever touches unmapped memory or a recycled fd number.
 *
 * <ul>
 * <li>A poll runs between {@link #enter()} and {@link #exit()}; polls are serialized.</li>
 * <li>{@link #close()} from another thread marks the reader closed, wakes a poll blocked in
 * epoll, waits for it to leave, and releases. The poll that was interrupted throws
 * {@link AlreadyClosedException} (see {@link #checkOpen()}), as does every later one.</li>
 * <li>{@link #close()} from inside a callback (the polling thread) only marks the reader closed;
 * the poll releases on its way out.</li>
 * </ul>
 * A ReentrantLock (not a monitor) keeps virtual threads unpinned while they wait for it.
 */
public final class PollGuard {
    private final String what;
    private final EpollSet epoll;
    private final Runnable release;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    private boolean released;

    /**
     * @param what    names the reader in exceptions ("ring buffer poller")
     * @param epoll   woken by {@link #close()}
     * @param release frees everything; runs once, with the poll lock held
     */
    public PollGuard(String what, EpollSet epoll, Runnable release) {
        this.what = what;
        this.epoll = epoll;
        this.release = release;
    }

    /** Starts a poll: waits for any other poll to finish. */
    public void enter() {
        lock.lock();
        if (closed) {
            exit();
            throw closedException();
        }
    }

    /** Ends a poll; releases the reader if it was closed from inside the poll. */
    public void exit() {
        try {
            if (closed && !released && lock.getHoldCount() == 1) releaseNow();
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** @throws AlreadyClosedException if the reader is closed */
    public void checkOpen() {
        if (closed) throw closedException();
    }

    public AlreadyClosedException closedException() {
        return new AlreadyClosedException(what + " is closed");
    }

    /** Marks the reader closed and, unless called by the polling thread, waits and releases. Idempotent. */
    public void close() {
        if (!closing.compareAndSet(false, true)) return;
        closed = true;
        if (lock.isHeldByCurrentThread()) return;
        epoll.wake();
        lock.lock();
        try {
            if (!released) releaseNow();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes a shared arena of mappings, retrying while another thread is inside an access to
     * one of its segments (say a record view a callback kept): that window is short, and the
     * thread's next access fails with IllegalStateException rather than touching unmapped memory.
     */
    public static void closeSpinning(Arena arena) {
        while (true) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException inUse) {
                if (!arena.scope().isAlive()) return;
                Thread.onSpinWait();
            }
        }
    }

    private void releaseNow() {
        released = true;
        release.run();
    }
}
