package dev.jbcc.tools.block;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;

import java.util.Map;

/** {@code jbcc mdflush}: flush requests of md (software RAID) devices, as they come. */
@Command(name = "mdflush", mixinStandardHelpOptions = true,
        description = {"Trace the flush requests md (software RAID) devices receive."},
        footer = {"", "examples:",
                "    jbcc mdflush            # a line per flush: time, process, md device",
                "    jbcc mdflush --json     # one JSON object per flush"})
public final class Mdflush extends Tool {
    static final Hook KPROBE = Hook.kprobe("md_flush_request");
    static final Hook FENTRY = Hook.fentry("md_flush_request");

    private static final Columns COLUMNS = Columns.of("%-8s %-7d %-16s %s", "TIME", "PID", "COMM", "DEVICE");

    @Override
    protected void run(Session s) {
        Hook hook = s.choose(KPROBE, FENTRY);
        try (BPF b = s.load(Mdflush.class, "mdflush.bpf.c", hook, Map.of())) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                s.row(COLUMNS, Session.clock(), e.getLong("pid"), e.getString("comm"), e.getString("disk"));
            });
            s.note("Tracing md flush requests... Hit Ctrl-C to end.");
            s.header(COLUMNS);
            s.pollUntilStopped(b, null);
        }
    }
}
