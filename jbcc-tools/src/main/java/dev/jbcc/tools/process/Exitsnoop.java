package dev.jbcc.tools.process;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Signals;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code jbcc exitsnoop}: processes as they end, with their age and how they ended. */
@Command(name = "exitsnoop", mixinStandardHelpOptions = true,
        description = {"Trace process termination: each exit or fatal signal, with the process's age."},
        footer = {"", "examples:",
                "    jbcc exitsnoop                 # every process that ends",
                "    jbcc exitsnoop -x              # only those that failed (not exit(0))",
                "    jbcc exitsnoop -t              # add the local time of each exit",
                "    jbcc exitsnoop --utc           # add the time in UTC",
                "    jbcc exitsnoop -p 181          # only process 181",
                "    jbcc exitsnoop --label=exit    # start each line with the label 'exit'",
                "    jbcc exitsnoop --per-thread    # every thread that ends, not just processes",
                "    jbcc exitsnoop --json          # one JSON object per exit"})
public final class Exitsnoop extends Tool {
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Option(names = {"-t", "--timestamp"}, description = "Include the time of each exit (local time).")
    boolean timestamp;

    @Option(names = "--utc", description = "Include the time of each exit in UTC (implies -t).")
    boolean utc;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = "--label", paramLabel = "LABEL", description = "Put this label at the start of each line.")
    String label;

    @Option(names = {"-x", "--failed"}, description = "Trace only failures: leave out exit(0).")
    boolean failed;

    @Option(names = "--per-thread", description = "Trace each thread's end, not only each process's.")
    boolean perThread;

    @Override
    protected void run(Session s) {
        ZoneId zone = utc ? ZoneOffset.UTC : ZoneId.systemDefault();
        boolean time = timestamp || utc;
        Columns columns = Columns.of("%-16s %-7d %-7d %-7d %-7.2f %s", "PCOMM", "PID", "PPID", "TID", "AGE(s)", "EXIT_CODE");
        if (label != null) columns = columns.prepend("%-6s", "LABEL");
        if (time) columns = columns.prepend("%-13s", "TIME-" + (utc ? "UTC" : zone.getDisplayName(TextStyle.SHORT, Locale.ROOT)));
        Columns out = columns;

        Hook hook = s.choose(Hook.tracepoint("sched:sched_process_exit"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("PER_THREAD", perThread ? 1 : 0);
        defines.put("FAILED_ONLY", failed ? 1 : 0);
        try (BPF b = s.load(Exitsnoop.class, "exitsnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                List<Object> row = new ArrayList<>();
                if (time) row.add(LocalTime.now(zone).format(MILLIS));
                if (label != null) row.add(label.isEmpty() ? "exit" : label);
                double age = (e.getLong("exit_ns") - e.getLong("start_ns")) / 1e9;
                row.addAll(List.of(e.getString("comm"), e.getLong("pid"), e.getLong("ppid"), e.getLong("tid"), age,
                        howItEnded(e.getLong("exit_code"), e.getLong("sig_info"))));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }

    /** {@code 0}, {@code code 3}, {@code signal 9 (KILL)}, {@code signal 11 (SEGV), core dumped}. */
    static String howItEnded(long exitCode, long sigInfo) {
        if (sigInfo == 0) return exitCode == 0 ? "0" : "code " + exitCode;
        int sig = (int) (sigInfo & 0x7F);
        String text = sig == 0 ? "" : "signal " + sig + " (" + Signals.name(sig) + ")";
        return (sigInfo & 0x80) != 0 ? text + ", core dumped" : text;
    }
}
