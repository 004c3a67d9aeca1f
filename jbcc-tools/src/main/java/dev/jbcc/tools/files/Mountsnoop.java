package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.errors.Errno;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** {@code jbcc mountsnoop}: mount() and umount() calls, with their arguments and results. */
@Command(name = "mountsnoop", mixinStandardHelpOptions = true,
        description = {"Trace mount() and umount() syscalls, with their arguments, mount namespace and result."},
        footer = {"", "examples:",
                "    jbcc mountsnoop                # every mount() and umount() on the system",
                "    jbcc mountsnoop -P             # also show the caller's parent process",
                "    jbcc mountsnoop --json         # one JSON object per call"})
public final class Mountsnoop extends Tool {
    private static final long MS_MGC_VAL = 0xc0ed0000L, MS_MGC_MSK = 0xffff0000L;
    private static final String[] MOUNT_FLAGS = {"MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_SYNCHRONOUS",
            "MS_REMOUNT", "MS_MANDLOCK", "MS_DIRSYNC", null, null, "MS_NOATIME", "MS_NODIRATIME", "MS_BIND", "MS_MOVE",
            "MS_REC", "MS_SILENT", "MS_POSIXACL", "MS_UNBINDABLE", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED", "MS_RELATIME",
            "MS_KERNMOUNT", "MS_I_VERSION", "MS_STRICTATIME", "MS_LAZYTIME", null, null, null, null, "MS_ACTIVE", "MS_NOUSER"};
    private static final String[] UMOUNT_FLAGS = {"MNT_FORCE", "MNT_DETACH", "MNT_EXPIRE", "UMOUNT_NOFOLLOW"};

    @Option(names = {"-P", "--parent_process"}, description = "Also show the parent process of the caller.")
    boolean parent;

    @Override
    protected void run(Session s) {
        Columns columns = parent
                ? Columns.of("%-16s %-7d %-7d %-16s %-7d %-11d %s", "COMM", "PID", "TID", "PCOMM", "PPID", "MNT_NS", "CALL")
                : Columns.of("%-16s %-7d %-7d %-11d %s", "COMM", "PID", "TID", "MNT_NS", "CALL");
        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_mount", "syscalls:sys_exit_mount",
                "syscalls:sys_enter_umount", "syscalls:sys_exit_umount"));
        try (BPF b = s.load(Mountsnoop.class, "mountsnoop.bpf.c", hook, Map.of())) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                Value c = e.field("call");
                List<String> str = e.field("str").elements().stream().map(Value::string).toList();
                long flags = c.getLong("flags");
                String call = c.getLong("kind") == 0
                        ? "mount(" + quoted(str.get(0)) + ", " + quoted(str.get(1)) + ", " + quoted(str.get(2)) + ", "
                          + mountFlags(flags) + ", " + quoted(str.get(3)) + ")"
                        : "umount(" + quoted(str.get(0)) + ", " + flagNames(flags, UMOUNT_FLAGS, new StringJoiner("|")) + ")";
                call += " = " + result(c.getLong("ret"));
                List<Object> row = new ArrayList<>(List.of(c.getString("comm"), c.getLong("pid"), c.getLong("tid")));
                if (parent) row.addAll(List.of(c.getString("pcomm"), c.getLong("ppid")));
                row.add(c.getLong("mnt_ns"));
                row.add(call);
                s.row(columns, row.toArray());
            });
            s.header(columns);
            s.pollUntilStopped(b, null);
        }
    }

    /** {@code 0}, or the error as {@code -ENOENT} (its number where jbcc has no name for it). */
    static String result(long ret) {
        if (ret >= 0) return String.valueOf(ret);
        String d = Errno.describe((int) -ret);
        return d.startsWith("E") && d.indexOf(' ') > 0 ? "-" + d.substring(0, d.indexOf(' ')) : String.valueOf(ret);
    }

    /** A string as C would write it: in double quotes, with escapes for quotes, backslashes and unprintable bytes. */
    static String quoted(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '\u0007' -> q.append("\\a");
                case '\b' -> q.append("\\b");
                case '\t' -> q.append("\\t");
                case '\n' -> q.append("\\n");
                case '\u000b' -> q.append("\\v");
                case '\f' -> q.append("\\f");
                case '\r' -> q.append("\\r");
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (ch >= 0x20 && ch <= 0x7e) q.append(ch);
                    else q.append(String.format("\\x%02x", ch & 0xff));
                }
            }
        }
        return q.append('"').toString();
    }

    static String mountFlags(long flags) {
        StringJoiner names = new StringJoiner("|");
        if ((flags & MS_MGC_MSK) == MS_MGC_VAL) {
            flags &= ~MS_MGC_MSK;
            names.add("MS_MGC_VAL");
        }
        return flagNames(flags, MOUNT_FLAGS, names);
    }

    /** The names of the bits set, and whatever is left (or nothing was set) in hex. */
    private static String flagNames(long flags, String[] bits, StringJoiner names) {
        int named = names.length();
        for (int i = 0; i < bits.length; i++) {
            if (bits[i] != null && (flags & (1L << i)) != 0) {
                names.add(bits[i]);
                flags &= ~(1L << i);
            }
        }
        if (flags != 0 || names.length() == named) names.add("0x" + Long.toHexString(flags));
        return names.toString();
    }
}
