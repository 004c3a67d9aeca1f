package dev.jbcc.tools.memory;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** {@code jbcc shmsnoop}: System V shared memory calls. */
@Command(name = "shmsnoop", mixinStandardHelpOptions = true,
        description = {"Trace System V shared memory calls: shmget(), shmat(), shmdt() and shmctl()."},
        footer = {"", "examples:",
                "    jbcc shmsnoop             # every shm*() call",
                "    jbcc shmsnoop -T          # with a timestamp column",
                "    jbcc shmsnoop -p 181      # process 181 only",
                "    jbcc shmsnoop -t 123      # thread 123 only",
                "    jbcc shmsnoop -d 10       # for 10 seconds only",
                "    jbcc shmsnoop -n main     # processes whose names contain \"main\"",
                "    jbcc shmsnoop --json      # one JSON object per call"})
public final class Shmsnoop extends Tool {
    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-t", "--tid"}, paramLabel = "TID", description = "Trace this TID only.")
    Integer tid;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of trace in seconds.")
    Integer duration;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Only print process names containing this name.")
    String name;

    private static final String[] SYS = {"SHMGET", "SHMAT", "SHMDT", "SHMCTL"};
    private static final String[][] SHMGET_FLAGS = {{"IPC_CREAT", "512"}, {"IPC_EXCL", "1024"}, {"SHM_HUGETLB", "2048"},
            {"SHM_HUGE_2MB", String.valueOf(21L << 26)}, {"SHM_HUGE_1GB", String.valueOf(30L << 26)}, {"SHM_NORESERVE", "4096"},
            {"SHM_EXEC", "32768"}};
    private static final String[][] SHMAT_FLAGS = {{"SHM_RDONLY", "4096"}, {"SHM_RND", "8192"}, {"SHM_REMAP", "16384"}, {"SHM_EXEC", "32768"}};

    @Override
    protected void run(Session s) {
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_shmget", "syscalls:sys_exit_shmget", "syscalls:sys_enter_shmat",
                "syscalls:sys_exit_shmat", "syscalls:sys_enter_shmdt", "syscalls:sys_exit_shmdt",
                "syscalls:sys_enter_shmctl", "syscalls:sys_exit_shmctl"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_TID", tid == null ? -1 : tid);
        Columns columns = Columns.of("%-6d %-16s %6s %16x %s", tid != null ? "TID" : "PID", "COMM", "SYS", "RET", "ARGs");
        if (timestamp) columns = columns.prepend("%-14.9f", "TIME(s)");
        Columns out = columns;
        long[] first = {0};
        try (BPF b = s.load(Shmsnoop.class, "shmsnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                String comm = e.getString("comm");
                if (name != null && !comm.contains(name)) return;
                if (first[0] == 0) first[0] = e.getLong("ts");
                int sys = (int) e.getLong("sys");
                String args = switch (sys) {
                    case 0 -> String.format("key: 0x%x, size: %s, shmflg: %s", e.getLong("key"), Long.toUnsignedString(e.getLong("size")),
                            flags(e.getLong("shmflg"), SHMGET_FLAGS));
                    case 1 -> String.format("shmid: 0x%x, shmaddr: 0x%x, shmflg: %s", e.getLong("shmid"), e.getLong("shmaddr"),
                            flags(e.getLong("shmflg"), SHMAT_FLAGS));
                    case 2 -> String.format("shmaddr: 0x%x", e.getLong("shmaddr"));
                    default -> String.format("shmid: 0x%x, cmd: %d, buf: 0x%x", e.getLong("shmid"), e.getLong("cmd"), e.getLong("buf"));
                };
                long id = e.getLong("id");
                List<Object> row = new ArrayList<>();
                if (timestamp) row.add((e.getLong("ts") - first[0]) / 1e9);
                row.addAll(List.of(tid != null ? id & 0xffffffffL : id >>> 32, comm, SYS[sys], e.getLong("ret"), args));
                s.row(out, row.toArray());
            });
            s.header(out);
            s.pollUntilStopped(b, duration == null ? null : Duration.ofSeconds(duration));
        }
    }

    /** {@code 0x3a4 (IPC_CREAT|0644)}: the flags by name, the mode bits in octal. */
    static String flags(long value, String[][] names) {
        String text = "0x" + Long.toHexString(value);
        if (value == 0) return text;
        StringJoiner parts = new StringJoiner("|", " (", ")");
        long rest = value;
        for (String[] f : names) {
            long bit = Long.parseLong(f[1]);
            if ((value & bit) != 0) {
                parts.add(f[0]);
                rest &= ~bit;
            }
        }
        if (rest != 0 || rest == value) parts.add("0" + Long.toOctalString(rest));
        return text + parts;
    }
}
