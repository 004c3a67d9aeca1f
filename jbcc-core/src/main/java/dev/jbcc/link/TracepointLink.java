package dev.jbcc.link;

import dev.jbcc.Program;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.PerfEventAttr;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.trace.Tracefs;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@code SEC("tracepoint/CAT/NAME")} program on a tracefs tracepoint: a PERF_TYPE_TRACEPOINT
 * perf event for the tracepoint's id, with the program attached through a perf_event bpf_link
 * (5.15+) or PERF_EVENT_IOC_SET_BPF. The program runs on every CPU, for every task.
 *
 * <pre>{@code
 * try (TracepointLink l = TracepointLink.attach(prog, "syscalls", "sys_enter_openat")) { ... }
 * }</pre>
 */
public final class TracepointLink implements Link {
    private final TracepointOptions tracepoint;
    private final PerfEventAttachment attachment;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TracepointLink(TracepointOptions tracepoint, PerfEventAttachment attachment) {
        this.tracepoint = tracepoint;
        this.attachment = attachment;
    }

    public static TracepointLink attach(Program program, String category, String name) {
        return attach(program, TracepointOptions.of(category, name));
    }

    /**
     * @throws NotFoundException            if the tracepoint does not exist (similar names are suggested)
     * @throws UnsupportedFeatureException  if tracefs is unavailable, or a cookie is asked for before 5.15
     * @throws IllegalArgumentException     if the program is not a TRACEPOINT program
     */
    public static TracepointLink attach(Program program, TracepointOptions options) {
        if (program.type() != ProgramType.TRACEPOINT) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + " program; tracepoints run TRACEPOINT programs (SEC(\"tracepoint/CAT/NAME\"))"
                    + (program.type() == ProgramType.RAW_TRACEPOINT ? "; attach it with RawTracepointLink" : ""));
        }
        Path tracefs = Tracefs.path();
        long id = PerfEvents.tracepointId(tracefs, options.category(), options.name());
        Fd perfEvent;
        try (Arena arena = Arena.ofConfined()) {
            var attr = new PerfEventAttr(arena).type(PerfEventAttr.PERF_TYPE_TRACEPOINT).config(id).samplePeriod(1)
                    .wakeupEvents(1);
            // pid -1, cpu 0: the program hangs off the tracepoint itself, so it runs on every CPU.
            perfEvent = attr.open(-1, 0, -1, "tracepoint " + options.category() + ":" + options.name(), null);
        }
        return new TracepointLink(options,
                PerfEventAttachment.attach(Handles.of(program), perfEvent, options.cookie(), true, false, null));
    }

    /** The tracepoint. */
    public TracepointOptions tracepoint() {
        return tracepoint;
    }

    /** The perf_event bpf_link, or null when attached by ioctl (before 5.15). */
    public RawLink rawLink() {
        return attachment.link;
    }

    /** @throws UnsupportedFeatureException before 5.15, where the attachment is no link */
    @Override
    public void pin(Path path) {
        attachment.pin(path, "tracepoint");
    }

    @Override
    public void unpin() {
        attachment.unpin();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) attachment.close();
    }

    @Override
    public String toString() {
        return "TracepointLink[" + tracepoint + (closed.get() ? ", closed" : "") + "]";
    }
}
