package dev.jbcc.link;

import dev.jbcc.internal.sys.Fd;

import java.nio.file.Path;

/**
 * One perf event with a program running on it: through a perf_event bpf_link, or (link null)
 * through PERF_EVENT_IOC_SET_BPF, in which case the program runs until the perf event is closed.
 * Closing it closes the link, then the perf event, then runs {@code afterClose} (removing a
 * tracefs probe, which the kernel refuses while a perf event holds it).
 */
final class PerfEventAttachment {
    final Fd perfEvent;
    final RawLink link;
    private final Runnable afterClose;

    PerfEventAttachment(Fd perfEvent, RawLink link, Runnable afterClose) {
        this.perfEvent = perfEvent;
        this.link = link;
        this.afterClose = afterClose;
    }

    /**
     * Runs {@code prog} on {@code perfEvent} (taking ownership of it: it is closed, and
     * {@code afterClose} run, if attaching fails).
     */
    static PerfEventAttachment attach(Fd prog, Fd perfEvent, long cookie, boolean useLink, boolean mustLink,
                                      Runnable afterClose) {
        try {
            return new PerfEventAttachment(perfEvent, PerfEvents.attach(prog, perfEvent, cookie, useLink, mustLink),
                    afterClose);
        } catch (RuntimeException e) {
            perfEvent.close();
            if (afterClose != null) {
                try {
                    afterClose.run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    void pin(Path path, String what) {
        if (link == null) {
            throw Links.cannotPin("a " + what + " attached with PERF_EVENT_IOC_SET_BPF",
                    "attach through a perf_event bpf_link (Linux 5.15+) to pin it");
        }
        link.pin(path);
    }

    void unpin() {
        if (link != null) link.unpin();
    }

    void close() {
        if (link != null) link.close();
        perfEvent.close();
        if (afterClose != null) afterClose.run();
    }
}
