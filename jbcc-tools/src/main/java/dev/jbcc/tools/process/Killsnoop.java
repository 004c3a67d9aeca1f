package dev.jbcc.tools.process;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc killsnoop}: signals sent with kill(2). */
@Command(name = "killsnoop", mixinStandardHelpOptions = true,
        description = {"Trace signals sent by the kill() syscall, with sender, target and result."},
        footer = {"", "examples:",
                "    jbcc killsnoop                 # every kill() call",
                "    jbcc killsnoop -x              # only kill() calls that failed",
                "    jbcc killsnoop -p 181          # only signals that process 181 sends",
                "    jbcc killsnoop -T 189          # only signals sent to process 189",
                "    jbcc killsnoop -s 9            # only SIGKILL",
                "    jbcc killsnoop --json          # one JSON object per kill()"})
public final class Killsnoop extends Tool {
    @Option(names = {"-x", "--failed"}, description = "Only show kill() calls that failed.")
    boolean failed;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this sender PID only.")
    Integer pid;

    @Option(names = {"-T", "--tpid"}, paramLabel = "TPID", description = "Trace this target PID only.")
    Integer tpid;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIGNAL", description = "Trace this signal number only.")
    Integer signal;

    @Override
    protected void run(Session s) {
        if (signal != null && (signal < 0 || signal > 64)) throw usage("signal must be 0..64, not " + signal);
        int w = pidWidth();
        Columns columns = Columns.of("%-9s %-" + w + "d %-16s %-4d %-" + w + "d %d", "TIME", "PID", "COMM", "SIG", "TPID", "RESULT");

        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_kill", "syscalls:sys_exit_kill"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("TPID_FILTERED", tpid == null ? 0 : 1);
        defines.put("FILTER_TPID", tpid == null ? 0 : tpid);
        defines.put("FILTER_SIGNAL", signal == null ? -1 : signal);
        defines.put("FAILED_ONLY", failed ? 1 : 0);
        try (BPF b = s.load(Killsnoop.class, "killsnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                s.row(columns, Session.clock(), e.getLong("pid"), e.getString("comm"), e.getLong("sig"), e.getLong("tpid"),
                        e.getLong("ret"));
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }

    /** bcc's PID column width: the digits of the largest PID, plus one. */
    private static int pidWidth() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/pid_max")).trim().length() + 1;
        } catch (IOException e) {
            return 6;
        }
    }
}
