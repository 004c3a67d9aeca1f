package dev.jbcc.trace;

import dev.jbcc.errors.AlreadyClosedException;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.EpollSet;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.OwnerTag;
import dev.jbcc.internal.sys.PollGuard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
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
    /** Names of {@link #openPrivate()}'s instances (pid, start time, counter), and of older versions' (pid, counter). */
    private static final Pattern PRIVATE_NAME = Pattern.compile("jbcc-(\\d+)(?:-(\\d+))?-\\d+");
    private static final AtomicInteger PRIVATE = new AtomicInteger();
    /** How long an rmdir of an instance is retried while the kernel says EBUSY. */
    private static final Duration RMDIR_PATIENCE = Duration.ofSeconds(2);

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
     * Creates a tracing instance of this process's own, {@code jbcc-PID-START-N} (pid, start time,
     * a counter), as {@link #openInstance} does: bcc's BPF objects read their
     * {@code bpf_trace_printk} lines from one, so that other readers cannot take them. A process
     * killed before close leaves its instance; the next open (of any jbcc process) or
     * {@code jbcc cleanup} removes it ({@link #removeLeftoverInstances()}).
     */
    public static TracePipe openPrivate() {
        return openInstance("jbcc-" + OwnerTag.pid() + "-" + OwnerTag.start() + "-" + PRIVATE.incrementAndGet());
    }

    /**
     * Creates the tracing instance {@code name} (which must not exist yet), enables the
     * {@code bpf_trace/bpf_trace_printk} event in it, and reads its trace_pipe; close() removes the
     * instance. Lines written by {@code bpf_trace_printk} from now on reach this reader whether or
     * not someone else reads the global pipe. The instances jbcc processes that are gone left are
     * removed first ({@link #removeLeftoverInstances()}).
     *
     * @throws IllegalArgumentException if the name is not 1-64 letters, digits, '_', '.', '-'
     */
    public static TracePipe openInstance(String name) {
        if (!INSTANCE_NAME.matcher(name).matches())
            throw new IllegalArgumentException("tracing instance name '" + name + "' must be 1-64 of [A-Za-z0-9_.-]");
        Path root = Tracefs.path();
        try {
            removeLeftoverInstances();
        } catch (RuntimeException e) {
            // Housekeeping: what a dead process left must not stop this open.
            System.getLogger(TracePipe.class.getName()).log(System.Logger.Level.DEBUG,
                    "cannot remove leftover tracing instances", e);
        }
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

    /**
     * Removes the tracing instances that jbcc processes which are gone left behind (killed before
     * close, say): those named {@code jbcc-PID-START-N} by {@link #openPrivate()} (or
     * {@code jbcc-PID-N} by older versions) whose process no longer runs. Instances of running
     * processes stay. Does nothing if tracefs is not mounted.
     *
     * @return the instances removed
     * @throws SyscallException if one cannot be removed (EBUSY after retries: someone reads its trace_pipe)
     * @throws FileAccessException if the instances cannot be listed
     */
    public static List<Path> removeLeftoverInstances() {
        Optional<Path> root = Tracefs.ifMounted();
        if (root.isEmpty()) return List.of();
        Path instances = root.get().resolve("instances");
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(instances)) {
            for (Path dir : dirs) {
                Matcher m = PRIVATE_NAME.matcher(dir.getFileName().toString());
                if (!m.matches()) continue;
                long pid = Long.parseLong(m.group(1));
                boolean gone = m.group(2) != null ? OwnerTag.isGone(pid, m.group(2)) : OwnerTag.startTime(pid).isEmpty();
                if (gone && removeInstance(dir)) removed.add(dir);
            }
        } catch (NoSuchFileException e) {
            return List.of(); // a kernel without instances
        } catch (IOException e) {
            throw FileAccessException.of("list the tracing instances in", instances, e, "run as root");
        }
        return removed;
    }

    private static void removeInstance(Path dir, Throwable cause) {
        try {
            removeInstance(dir);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * rmdir of a tracing instance. The kernel refuses (EBUSY) while someone holds one of its files
     * open (a trace_pipe reader) or its tracer is in use; then its events are disabled and its
     * buffer cleared, and the rmdir retried for up to {@link #RMDIR_PATIENCE}.
     *
     * @return false if it did not exist
     */
    private static boolean removeInstance(Path dir) {
        long deadline = System.nanoTime() + RMDIR_PATIENCE.toNanos();
        boolean quieted = false;
        for (long sleep = 5; ; sleep = Math.min(sleep * 2, 200)) {
            int rc;
            try (Arena a = Arena.ofConfined()) {
                rc = Libc.rmdir(a.allocateFrom(dir.toString()));
            }
            if (rc == 0) return true;
            if (rc == -Errno.ENOENT) return false;
            if (rc != -Errno.EBUSY || System.nanoTime() > deadline) {
                throw new SyscallException("rmdir", -rc, "tracing instance " + dir + (rc == -Errno.EBUSY
                        ? ": still in use (a reader of its trace_pipe?); rmdir it when that ends, or run jbcc cleanup"
                        : "; rmdir it by hand"));
            }
            if (!quieted) {
                quieted = true;
                quiet(dir);
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SyscallException("rmdir", Errno.EBUSY, "tracing instance " + dir
                        + ": interrupted while waiting for it to be free; rmdir it by hand");
            }
        }
    }

    /** Disables every event of an instance and empties its buffer: best effort, before an rmdir retry. */
    private static void quiet(Path dir) {
        for (String file : List.of("events/enable", "tracing_on")) {
            try {
                Files.writeString(dir.resolve(file), "0");
            } catch (IOException ignored) {
                // gone or not there on this kernel: the rmdir retry tells
            }
        }
        try {
            Files.write(dir.resolve("trace"), new byte[0]); // truncating "trace" clears the buffer
        } catch (IOException ignored) {
            // as above
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
        if (instance != null) removeInstance(instance);
    }

    @Override
    public String toString() {
        return "TracePipe[" + pipe + (isClosed() ? ", closed" : "") + "]";
    }
}
