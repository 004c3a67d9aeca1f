package dev.jbcc.trace;

import dev.jbcc.errors.AlreadyClosedException;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.EpollSet;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.PollGuard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the kernel's trace output, where {@code bpf_trace_printk} (and {@code bpf_printk}) write,
 * line by line: bcc's {@code trace_readline()} and {@code trace_fields()}.
 *
 * <p>{@link #open()} reads the global {@code trace_pipe}. Reading it consumes the lines, so two
 * readers (this one, {@code cat trace_pipe}, another tool) each see only part of the output.
 * {@link #openInstance(String)} avoids that: it creates a private tracing instance that records
 * {@code bpf_trace_printk} output too, and removes it on close.
 *
 * <p>tracefs is mounted at {@code /sys/kernel/tracing} if it is not yet (root only);
 * {@code /sys/kernel/debug/tracing} is used when only debugfs offers it.
 *
 * <p>Reads are serialized; {@link #close()} from another thread ends a blocked read with
 * {@link AlreadyClosedException}, as for ring buffers.
 */
public final class TracePipe implements AutoCloseable {
    private static final Pattern INSTANCE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int CHUNK = 64 * 1024;

    private final Path pipe;
    private final Path instance;
    private final Fd fd;
    private final EpollSet epoll;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment chunk;
    private final PollGuard guard;
    /** Bytes read but not yet returned as lines: {@code pending[pendingStart, pendingEnd)}. */
    private byte[] pending = new byte[4096];
    private int pendingStart;
    private int pendingEnd;
    private long lost;

    private TracePipe(Path pipe, Path instance, Fd fd, EpollSet epoll) {
        this.pipe = pipe;
        this.instance = instance;
        this.fd = fd;
        this.epoll = epoll;
        this.chunk = arena.allocate(CHUNK);
        this.guard = new PollGuard("trace pipe " + pipe, epoll, this::release);
    }

    /** Opens the global trace_pipe. */
    public static TracePipe open() {
        return open(Tracefs.path().resolve("trace_pipe"), null);
    }

    /**
     * Creates the tracing instance {@code name} (which must not exist yet), enables the
     * {@code bpf_trace/bpf_trace_printk} event in it, and reads its trace_pipe; close() removes the
     * instance. Lines written by {@code bpf_trace_printk} from now on reach this reader whether or
     * not someone else reads the global pipe.
     *
     * @throws IllegalArgumentException if the name is not 1-64 letters, digits, '_', '.', '-'
     */
    public static TracePipe openInstance(String name) {
        if (!INSTANCE_NAME.matcher(name).matches())
            throw new IllegalArgumentException("tracing instance name '" + name + "' must be 1-64 of [A-Za-z0-9_.-]");
        Path root = Tracefs.path();
        Path dir = root.resolve("instances").resolve(name);
        try {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IllegalArgumentException("tracing instance " + dir + " already exists; choose another name or remove it"
                    + " with rmdir", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create tracing instance " + dir, e);
        }
        try {
            Files.writeString(dir.resolve("events/bpf_trace/bpf_trace_printk/enable"), "1");
            return open(dir.resolve("trace_pipe"), dir);
        } catch (IOException e) {
            removeInstance(dir, e);
            throw new UncheckedIOException("cannot enable bpf_trace_printk in tracing instance " + dir, e);
        } catch (Throwable t) {
            removeInstance(dir, t);
            throw t;
        }
    }

    private static void removeInstance(Path dir, Throwable cause) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static TracePipe open(Path pipe, Path instance) {
        int raw;
        try (Arena a = Arena.ofConfined()) {
            raw = Libc.open(a.allocateFrom(pipe.toString()), Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        }
        if (raw < 0) {
            throw new SyscallException("open", -raw, pipe + (-raw == Errno.EACCES || -raw == Errno.EPERM
                    ? ": reading trace output needs root" : ""));
        }
        Fd fd = Fd.adopt(raw);
        try {
            EpollSet epoll = EpollSet.create(1);
            try {
                epoll.add(fd, 0);
                return new TracePipe(pipe, instance, fd, epoll);
            } catch (Throwable t) {
                epoll.close();
                throw t;
            }
        } catch (Throwable t) {
            fd.close();
            throw t;
        }
    }

    /** The pipe this reader reads. */
    public Path path() {
        return pipe;
    }

    /**
     * The next line without its newline, waiting up to {@code timeout}.
     *
     * @return the line, or null if none was complete in time
     * @throws AlreadyClosedException if the reader is closed, before or during the wait
     */
    public String readLine(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        guard.enter();
        try {
            while (true) {
                String line = takeLine();
                if (line != null) return line;
                long n = Libc.read(fd.raw(), chunk, CHUNK);
                if (n > 0) {
                    append(n);
                    continue;
                }
                if (n < 0 && n != -Errno.EAGAIN && n != -Errno.EINTR)
                    throw new SyscallException("read", (int) -n, pipe.toString());
                long left = deadline - System.nanoTime();
                if (left <= 0) return null;
                epoll.await((int) Math.min(Integer.MAX_VALUE, Math.max(1, (left + 999_999) / 1_000_000)));
                guard.checkOpen();
            }
        } finally {
            guard.exit();
        }
    }

    /** The next line, waiting as long as it takes (or until {@link #close()}). */
    public String readLine() {
        String line;
        do {
            line = readLine(Duration.ofDays(1));
        } while (line == null);
        return line;
    }

    /**
     * The next line that parses as a {@link TraceEvent}, waiting up to {@code timeout}; other
     * lines are skipped (as bcc's trace_fields does), and lost-event notes are added to
     * {@link #lostEvents()}.
     *
     * @return the event, or empty on timeout
     */
    public Optional<TraceEvent> readEvent(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = readLine(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (line == null) return Optional.empty();
            long n = TraceEvent.lostEvents(line);
            if (n > 0) lost += n;
            Optional<TraceEvent> event = TraceEvent.parse(line);
            if (event.isPresent()) return event;
        }
    }

    /** Events the kernel reported lost ({@code CPU:N [LOST n EVENTS]}) among the lines {@link #readEvent} skipped. */
    public long lostEvents() {
        return lost;
    }

    private void append(long n) {
        int length = (int) n;
        if (pendingEnd + length > pending.length) {
            // Move the unreturned tail to the front first; grow only if that is not enough.
            int kept = pendingEnd - pendingStart;
            byte[] target = kept + length > pending.length ? new byte[Math.max(pending.length * 2, kept + length)] : pending;
            System.arraycopy(pending, pendingStart, target, 0, kept);
            pending = target;
            pendingStart = 0;
            pendingEnd = kept;
        }
        MemorySegment.copy(chunk, ValueLayout.JAVA_BYTE, 0, pending, pendingEnd, length);
        pendingEnd += length;
    }

    private String takeLine() {
        for (int i = pendingStart; i < pendingEnd; i++) {
            if (pending[i] != '\n') continue;
            String line = new String(pending, pendingStart, i - pendingStart, StandardCharsets.UTF_8);
            pendingStart = i + 1;
            if (pendingStart == pendingEnd) pendingStart = pendingEnd = 0;
            return line;
        }
        return null;
    }

    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Closes the pipe and removes the instance this reader created, if any. Idempotent. */
    @Override
    public void close() {
        guard.close();
    }

    private void release() {
        epoll.close();
        fd.close();
        PollGuard.closeSpinning(arena);
        if (instance != null) {
            try {
                Files.deleteIfExists(instance);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove tracing instance " + instance + "; rmdir it by hand", e);
            }
        }
    }

    @Override
    public String toString() {
        return "TracePipe[" + pipe + (isClosed() ? ", closed" : "") + "]";
    }
}
