package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stamps;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code jbcc sofdsnoop}: file descriptors passed over sockets (SCM_RIGHTS). */
@Command(name = "sofdsnoop", mixinStandardHelpOptions = true,
        description = {"Trace file descriptors passed over sockets (SCM_RIGHTS) by sendmsg() and recvmsg()."},
        footer = {"", "examples:",
                "    jbcc sofdsnoop                 # every descriptor passed",
                "    jbcc sofdsnoop -T              # with a timestamp column",
                "    jbcc sofdsnoop -p 181          # process 181 only",
                "    jbcc sofdsnoop -t 123          # thread 123 only",
                "    jbcc sofdsnoop -n main         # only processes whose name contains \"main\" (a regex)",
                "    jbcc sofdsnoop -d 10           # trace for 10 seconds only",
                "    jbcc sofdsnoop --json          # one JSON object per descriptor",
                "",
                "SEND lines show the sender's descriptor, RECV lines the receiver's new one; NAME is",
                "what the descriptor is open on (from /proc), N/A once it is closed."})
public final class Sofdsnoop extends Tool {
    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp column (seconds since the first event).")
    boolean timestamp;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace this TID only.")
    Integer tid;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Only processes whose name contains this (a regex).")
    String name;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of the trace, in seconds.")
    Integer duration;

    @Override
    protected void run(Session s) {
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        Pattern nameRe = name == null ? null : Pattern.compile(name);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_TID", tid == null ? -1 : tid);
        Columns columns = Columns.of("%-6s %-6d %-16s %-25s %-5d %s", "ACTION", "TID", "COMM", "SOCKET", "FD", "NAME");
        Stamps stamps = new Stamps(false, timestamp);
        Columns out = stamps.prepend(columns, null, "%-14.9f");

        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_sendmsg", "syscalls:sys_exit_sendmsg",
                "syscalls:sys_enter_recvmsg", "syscalls:sys_exit_recvmsg"));
        try (BPF b = s.load(Sofdsnoop.class, "sofdsnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                String comm = e.getString("comm");
                if (nameRe != null && !nameRe.matcher(comm).find()) return;
                long thread = e.getLong("tid");
                long socket = e.getLong("sock_fd");
                List<Value> fds = e.field("fd").elements();
                for (int i = 0; i < Math.min(fds.size(), e.getLong("fd_cnt")); i++) {
                    long fd = fds.get(i).value();
                    List<Object> row = stamps.start(e.getLong("ts"));
                    row.addAll(List.of(e.getLong("action") == 0 ? "SEND" : "RECV", thread, comm,
                            socket + ":" + file(thread, socket), fd, file(thread, fd)));
                    s.row(out, row.toArray());
                }
            });
            s.header(out);
            s.pollUntilStopped(b, duration == null ? null : Duration.ofSeconds(duration));
        }
    }

    /** What descriptor {@code fd} of thread {@code tid} is open on, N/A if it is gone. */
    private static String file(long tid, long fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + tid + "/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "N/A";
        }
    }
}
