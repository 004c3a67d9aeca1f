package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Counters;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc vfsstat}: VFS reads, writes, fsyncs, opens and creates per second. */
@Command(name = "vfsstat", mixinStandardHelpOptions = true,
        description = {"Count common VFS calls (read, write, fsync, open, create) per second."},
        footer = {"", "examples:",
                "    jbcc vfsstat                   # counts per second, every second",
                "    jbcc vfsstat -p 185            # only process 185",
                "    jbcc vfsstat 2 5               # 2 second summaries, 5 of them",
                "    jbcc vfsstat --json 1 3        # one JSON object per summary",
                "",
                "Where the kernel has neither kprobes nor fentry, the syscalls that reach these VFS",
                "calls are counted instead (--verbose says which)."})
public final class Vfsstat extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        long seconds = interval.every(1).toSeconds();
        // bcc's column order; the numbers are the C's enum vfs_stat
        Columns columns = Columns.of("%-8s: %8d %8d %8d %8d %8d", "TIME", "READ/s", "WRITE/s", "CREATE/s", "OPEN/s", "FSYNC/s");
        int[] order = {1, 2, 5, 4, 3};

        Hook hook = s.choose(Hook.kprobe("vfs_read", "vfs_write", "vfs_fsync_range", "vfs_open", "vfs_create"),
                Hook.fentry("vfs_read", "vfs_write", "vfs_fsync_range", "vfs_open", "vfs_create"),
                Hook.tracepoint("syscalls:sys_enter_read", "syscalls:sys_enter_readv", "syscalls:sys_enter_pread64",
                        "syscalls:sys_enter_preadv", "syscalls:sys_enter_preadv2", "syscalls:sys_enter_write",
                        "syscalls:sys_enter_writev", "syscalls:sys_enter_pwrite64", "syscalls:sys_enter_pwritev",
                        "syscalls:sys_enter_pwritev2", "syscalls:sys_enter_fsync", "syscalls:sys_enter_fdatasync",
                        "syscalls:sys_enter_openat", "syscalls:sys_exit_openat"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("HAVE_OPEN", BPF.tracepointExists("syscalls", "sys_enter_open") && BPF.tracepointExists("syscalls", "sys_enter_creat") ? 1 : 0);
        try (BPF b = s.load(Vfsstat.class, "vfsstat.bpf.c", hook, defines)) {
            Counters stats = new Counters(b.get("stats"), order.length + 1);
            StatHeader.print(s, columns);
            Intervals.every(s, interval.period(1), () -> {
                long[] d = stats.growth();
                Object[] row = new Object[order.length + 1];
                row[0] = Session.clock();
                for (int i = 0; i < order.length; i++) row[i + 1] = d[order[i]] / seconds;
                s.row(columns, row);
            });
        }
    }
}
