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

/** {@code jbcc filegone}: files deleted or renamed, and by whom. */
@Command(name = "filegone", mixinStandardHelpOptions = true,
        description = {"Trace files that go away: deleted (unlink, rmdir) or renamed, with the process."},
        footer = {"", "examples:",
                "    jbcc filegone                  # every delete and rename",
                "    jbcc filegone -p 181           # process 181 only",
                "    jbcc filegone --json           # one JSON object per file",
                "",
                "With kprobes it watches vfs_unlink, vfs_rmdir and vfs_rename, as bcc; without, the unlink,",
                "rmdir and rename system calls that succeed (names as the caller gave them, last component shown)."})
public final class Filegone extends Tool {
    static final Hook KPROBE = Hook.kprobe("vfs_unlink", "vfs_rmdir", "vfs_rename");

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%-8s %-7d %-16s %6s %s", "TIME", "PID", "COMM", "ACTION", "FILE");
        Hook hook = s.choose(KPROBE,
                Hook.tracepoint("syscalls:sys_enter_unlink", "syscalls:sys_enter_unlinkat", "syscalls:sys_enter_rmdir",
                        "syscalls:sys_enter_rename", "syscalls:sys_enter_renameat", "syscalls:sys_enter_renameat2"));
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        boolean kprobes = hook instanceof Hook.Kprobe;
        if (kprobes) defines.putAll(kprobeDefines());
        try (BPF b = s.load(Filegone.class, "filegone.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                boolean rename = e.getLong("action") == 'R';
                String file = lastComponent(e.getString("name"), kprobes);
                if (rename) file += " > " + lastComponent(e.getString("name2"), kprobes);
                s.row(columns, Session.clock(), e.getLong("pid"), e.getString("comm"), rename ? "RENAME" : "DELETE", file);
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }

    /** Where this kernel's vfs_unlink, vfs_rmdir and vfs_rename have the dentries, for the kprobes' C. */
    static Map<String, Object> kprobeDefines() {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("UNLINK_DENTRY", KernelFunctions.argument("vfs_unlink", "dentry"));
        defines.put("RMDIR_DENTRY", KernelFunctions.argument("vfs_rmdir", "dentry"));
        boolean renameData = KernelFunctions.parameters("vfs_rename").contains("rd");
        defines.put("RENAME_DATA", renameData ? 1 : 0);
        if (!renameData) {
            defines.put("RENAME_OLD", KernelFunctions.argument("vfs_rename", "old_dentry"));
            defines.put("RENAME_NEW", KernelFunctions.argument("vfs_rename", "new_dentry"));
        }
        return defines;
    }

    /** A path's last component (a dentry's name is one already). */
    private static String lastComponent(String name, boolean dentry) {
        if (dentry) return name;
        String n = name.replaceAll("/+$", "");
        return n.isEmpty() ? name : n.substring(n.lastIndexOf('/') + 1);
    }
}
