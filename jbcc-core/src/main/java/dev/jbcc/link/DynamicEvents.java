package dev.jbcc.link;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Probe events this process defines in a tracefs file ({@code kprobe_events}): each named
 * {@code jbcc_PID_N} in its own group, removed when its link closes, and removed by the next jbcc
 * process if this one dies first (the pid in the name says whose it is).
 *
 * @param tracefs the tracefs mount
 * @param file    {@code kprobe_events} or {@code uprobe_events}
 * @param group   the event group, e.g. {@code jbcc_kprobes}
 */
record DynamicEvents(Path tracefs, String file, String group) {
    private static final AtomicLong COUNTER = new AtomicLong();

    /** A fresh event name for this process. */
    static String newName() {
        return "jbcc_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    }

    /** Writes {@code definition} (e.g. {@code p:GROUP/NAME do_unlinkat}); one write per line, appended. */
    void add(String definition) {
        write(definition);
    }

    /** Removes an event; the perf event on it must be closed first. */
    void remove(String name) {
        write("-:" + group + "/" + name);
    }

    /** The perf event id of one of our events. */
    long id(String name) {
        Path idFile = tracefs.resolve("events").resolve(group).resolve(name).resolve("id");
        try {
            return Long.parseLong(Files.readString(idFile).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + idFile, e);
        }
    }

    /** Whether the file still lists {@code name}: for tests of cleanup. */
    boolean has(String name) {
        try {
            return Files.readString(tracefs.resolve(file)).contains(group + "/" + name + " ");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes events left by jbcc processes that no longer exist. Best effort: an event in use stays. */
    void removeStale() {
        String text;
        try {
            text = Files.readString(tracefs.resolve(file));
        } catch (IOException e) {
            return;
        }
        String prefix = group + "/jbcc_";
        for (String line : text.split("\n")) {
            int at = line.indexOf(prefix);
            if (at < 0) continue;
            int end = line.indexOf(' ', at);
            String name = line.substring(at + group.length() + 1, end < 0 ? line.length() : end);
            String[] parts = name.split("_");
            if (parts.length != 3) continue;
            long owner;
            try {
                owner = Long.parseLong(parts[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (ProcessHandle.of(owner).isPresent()) continue;
            try {
                remove(name);
            } catch (SyscallException busy) {
                System.getLogger("dev.jbcc.link").log(System.Logger.Level.DEBUG, "stale event " + name + " is in use", busy);
            }
        }
    }

    private void write(String line) {
        Path events = tracefs.resolve(file);
        try {
            // Appended: truncating the file would remove every other probe on the system.
            Files.writeString(events, line + "\n", StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new SyscallException("write '" + line + "' to " + events, Errno.EINVAL,
                    e.getMessage() + " (the kernel rejected the definition; see " + tracefs.resolve("error_log") + ")");
        }
    }
}
