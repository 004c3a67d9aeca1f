package dev.jbcc.tools.jvm;

import dev.jbcc.errors.FileAccessException;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.Timespan;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code --jfr FILE} option of the JVM tools that trace events: jbcc runs in a JVM, so it can
 * record what it sees of another JVM as JFR events of its own ({@code jbcc.GarbageCollection},
 * {@code jbcc.ThreadStart}, {@code jbcc.ThreadEnd}), which {@code jfr print} and JDK Mission
 * Control read. The recording enables only the tool's event types and is dumped to FILE when the
 * tool stops.
 */
public final class JfrOutput {
    @Option(names = "--jfr", paramLabel = "FILE",
            description = "Also write the events into this JFR recording file, on stop (read it with `jfr print` or JDK Mission Control).")
    Path file;

    /** A collection of the traced JVM. */
    @Name("jbcc.GarbageCollection")
    @Label("Garbage Collection (traced by jbcc)")
    @Category({"jbcc", "Java Virtual Machine"})
    @Description("A garbage collection of another JVM, seen through HotSpot's probes")
    public static final class GarbageCollection extends Event {
        @Label("PID")
        public int pid;
        @Label("Cause")
        public String cause;
        @Label("Collector")
        public String collector;
        @Label("Full")
        public boolean full;
        @Label("Collection Duration")
        @Timespan(Timespan.NANOSECONDS)
        public long collectionDuration;
        @Label("Heap Used Before")
        @DataAmount(DataAmount.BYTES)
        public long heapBefore;
        @Label("Heap Used After")
        @DataAmount(DataAmount.BYTES)
        public long heapAfter;
    }

    /** What the thread events carry: a Java thread of the traced JVM. */
    public abstract static class JavaThread extends Event {
        @Label("PID")
        public int pid;
        @Label("Java Thread Name")
        public String javaName;
        @Label("Java Thread Id")
        public long javaThreadId;
        @Label("Native Thread Id")
        public long nativeThreadId;
        @Label("Daemon")
        public boolean daemon;
    }

    /** A Java thread of the traced JVM that started. */
    @Name("jbcc.ThreadStart")
    @Label("Java Thread Start (traced by jbcc)")
    @Category({"jbcc", "Java Virtual Machine"})
    public static final class ThreadStart extends JavaThread {
    }

    /** A Java thread of the traced JVM that ended. */
    @Name("jbcc.ThreadEnd")
    @Label("Java Thread End (traced by jbcc)")
    @Category({"jbcc", "Java Virtual Machine"})
    public static final class ThreadEnd extends JavaThread {
    }

    /** A recording of some event types; {@link #close} dumps it to the file. */
    public static final class Output implements AutoCloseable {
        private final Recording recording;
        private final Path file;

        private Output(Recording recording, Path file) {
            this.recording = recording;
            this.file = file;
        }

        @Override
        public void close() {
            try {
                recording.stop();
                recording.dump(file);
            } catch (IOException e) {
                throw FileAccessException.of("write the JFR recording", file, e);
            } finally {
                recording.close();
            }
        }
    }

    /** Whether {@code --jfr} was given. */
    public boolean on() {
        return file != null;
    }

    /**
     * Starts recording {@code types} (without stack traces: they would be jbcc's, not the target's),
     * or returns null without {@code --jfr}.
     *
     * @throws FileAccessException if FILE's directory does not exist
     */
    public Output start(List<Class<? extends Event>> types) {
        if (file == null) return null;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new FileAccessException(file, "--jfr " + file + ": no directory " + dir + "; create it, or give another file");
        }
        Recording r = new Recording();
        r.setName("jbcc " + file.getFileName());
        for (Class<? extends Event> t : types) r.enable(t).withoutStackTrace();
        r.start();
        return new Output(r, file);
    }
}
