package dev.jbcc.tools.process;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.errors.BpfException;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;

import java.io.UncheckedIOException;
import java.util.Map;

/** {@code jbcc threadsnoop}: new threads, from pthread_create() calls. */
@Command(name = "threadsnoop", mixinStandardHelpOptions = true,
        description = {"Trace new threads: each pthread_create() call, with the function the thread starts in."},
        footer = {"", "examples:",
                "    jbcc threadsnoop               # every pthread_create() on the system",
                "    jbcc threadsnoop --json        # one JSON object per new thread"})
public final class Threadsnoop extends Tool {
    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%-10d %-7d %-16s %s", "TIME(ms)", "PID", "COMM", "FUNC");
        try (BPF b = s.load(Threadsnoop.class, "threadsnoop.bpf.c", Map.of())) {
            attach(s, b);
            PerfEventArray events = b.get("events");
            long[] first = {0};
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                long ts = e.getLong("ts_ns");
                if (first[0] == 0) first[0] = ts;
                int pid = (int) e.getLong("pid");
                long start = e.getLong("start");
                s.row(columns, (ts - first[0]) / 1_000_000, pid, e.getString("comm"), function(start, pid));
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }

    /** The symbol at {@code start} in process {@code pid}; its address where that process is gone or has no symbol there. */
    private static String function(long start, int pid) {
        String func;
        try {
            func = BPF.sym(start, pid);
        } catch (BpfException | UncheckedIOException gone) {
            func = "[unknown]"; // a short-lived process ended before its thread could be named
        }
        return func.equals("[unknown]") ? "0x" + Long.toHexString(start) : func;
    }

    /** pthread_create is in libc since glibc 2.34, in libpthread before. */
    private static void attach(Session s, BPF b) {
        try {
            b.attachUprobe("c", "pthread_create", "created");
            s.verbose("using uprobe libc:pthread_create");
        } catch (BpfException inLibc) {
            try {
                b.attachUprobe("pthread", "pthread_create", "created");
                s.verbose("using uprobe libpthread:pthread_create (" + inLibc.getMessage() + ")");
            } catch (BpfException inLibpthread) {
                inLibpthread.addSuppressed(inLibc);
                throw inLibpthread;
            }
        }
    }
}
