package dev.jbcc.tools.process;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import dev.jbcc.tools.Users;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code jbcc execsnoop}: new processes, from execve(2), with their arguments. */
@Command(name = "execsnoop", mixinStandardHelpOptions = true,
        description = {"Trace new processes: each exec() with its parent, result and arguments."},
        footer = {"", "examples:",
                "    jbcc execsnoop                 # trace all exec() syscalls",
                "    jbcc execsnoop -x              # include failed exec()s",
                "    jbcc execsnoop -T              # include time (HH:MM:SS)",
                "    jbcc execsnoop -P 181          # only new processes whose parent PID is 181",
                "    jbcc execsnoop -U              # include UID",
                "    jbcc execsnoop -u 1000         # only trace UID 1000",
                "    jbcc execsnoop -t              # include timestamps",
                "    jbcc execsnoop -q              # add \"quotemarks\" around arguments",
                "    jbcc execsnoop -n main         # only command lines containing \"main\"",
                "    jbcc execsnoop -l tpkg         # only commands whose arguments contain \"tpkg\"",
                "    jbcc execsnoop --json | jq .   # one JSON object per exec()"})
public final class Execsnoop extends Tool {
    @Option(names = {"-T", "--time"}, description = "Include a time column (HH:MM:SS).")
    boolean time;

    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since start).")
    boolean timestamp;

    @Option(names = {"-x", "--fails"}, description = "Include failed exec()s.")
    boolean fails;

    @Option(names = {"-u", "--uid"}, paramLabel = "USER", description = "Trace this UID (or user name) only.")
    String user;

    @Option(names = {"-q", "--quote"}, description = "Put \"quotemarks\" around arguments.")
    boolean quote;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Only print commands matching this regex, in any argument.")
    String name;

    @Option(names = {"-l", "--line"}, paramLabel = "LINE", description = "Only print commands whose arguments contain this regex.")
    String line;

    @Option(names = {"-U", "--print-uid"}, description = "Print a UID column.")
    boolean printUid;

    @Option(names = "--max-args", paramLabel = "MAX_ARGS", description = "Most arguments read and shown (default ${DEFAULT-VALUE}).")
    int maxArgs = 20;

    @Option(names = {"-P", "--ppid"}, paramLabel = "PPID", description = "Trace new processes of this parent PID only.")
    Integer ppid;

    @Override
    protected void run(Session s) {
        if (maxArgs < 1 || maxArgs > 128) throw usage("--max-args must be 1..128, not " + maxArgs);
        long uid = user == null ? -1 : Users.uid(user).orElseThrow(() -> usage("no user " + user));
        Pattern nameRe = name == null ? null : Pattern.compile(name);
        Pattern lineRe = line == null ? null : Pattern.compile(line);

        Columns columns = Columns.of("%-16s %-7d %-7d %3d %s", "PCOMM", "PID", "PPID", "RET", "ARGS");
        if (printUid) columns = columns.prepend("%-6d ", "UID");
        if (timestamp) columns = columns.prepend("%-8.3f ", "TIME(s)");
        if (time) columns = columns.prepend("%-9s", "TIME");
        Columns out = columns;

        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_execve", "syscalls:sys_exit_execve"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("MAXARG", maxArgs);
        defines.put("FILTER_UID", uid);
        defines.put("FILTER_PPID", ppid == null ? -1 : ppid);
        defines.put("INCLUDE_FAILED", fails ? 1 : 0);
        try (BPF b = s.load(Execsnoop.class, "execsnoop.bpf.c", hook, defines)) {
            b.<dev.jbcc.bcc.PerfEventArray>get("events").openPerfBuffer((cpu, data, size) -> {
                Value e = b.<dev.jbcc.bcc.PerfEventArray>get("events").event(data);
                String args = arguments(e);
                String comm = e.getString("comm");
                if (nameRe != null && !nameRe.matcher(comm).find() && !nameRe.matcher(args).find()) return;
                if (lineRe != null && !lineRe.matcher(args).find()) return;
                List<Object> row = new ArrayList<>();
                if (time) row.add(Session.clock());
                if (timestamp) row.add(s.elapsedSeconds());
                if (printUid) row.add(e.getLong("uid"));
                row.addAll(List.of(comm, e.getLong("pid"), e.getLong("ppid"), e.getLong("ret"), args));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, null);
        }
    }

    /** The arguments as one line, " ..." at the end when there were more than --max-args. */
    private String arguments(Value e) {
        long argc = e.getLong("argc");
        List<Value> args = e.field("args").elements();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < Math.min(argc, maxArgs); i++) {
            if (i > 0) line.append(' ');
            String a = args.get(i).string();
            line.append(quote ? '"' + a.replace("\"", "\\\"") + '"' : a);
        }
        if (argc > maxArgs) line.append(" ...");
        return line.toString();
    }
}
