package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.KernelFunctions;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc filelife}: short-lived files, from creation to deletion. */
@Command(name = "filelife", mixinStandardHelpOptions = true,
        description = {"Trace the lifespan of files: each file deleted after being created while tracing."},
        footer = {"", "examples:",
                "    jbcc filelife                  # files created and deleted again, with their age",
                "    jbcc filelife -p 181           # only files process 181 created and deleted",
                "    jbcc filelife --json           # one JSON object per file",
                "",
                "Needs kprobes (no tracepoint sees a file's dentry)."})
public final class Filelife extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%-8s %-7d %-16s %-7.2f %s", "TIME", "PID", "COMM", "AGE(s)", "FILE");
        Hook hook = s.choose(Hook.kprobe("security_inode_create", "vfs_create", "vfs_unlink"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("CREATE_DENTRY", KernelFunctions.argument("vfs_create", "dentry"));
        defines.put("UNLINK_DENTRY", KernelFunctions.argument("vfs_unlink", "dentry"));
        try (BPF b = s.load(Filelife.class, "filelife.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                s.row(columns, Session.clock(), e.getLong("pid"), e.getString("comm"), e.getLong("age_ns") / 1e9, e.getString("name"));
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }
}
