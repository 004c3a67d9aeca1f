package dev.jbcc.internal.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mark jbcc puts on what it leaves in the kernel under a name, which outlives a killed
 * process: the owning process's pid and its start time (field 22 of /proc/PID/stat, so that a
 * reused pid does not pass for the same process). A TC filter's name ends with
 * {@code [jbcc:PID:START]} ({@code tc_drop[jbcc:1234:5678]}); a tracing instance is named
 * {@code jbcc-PID-START-N}. One implementation for every kind of leftover jbcc removes.
 */
public final class OwnerTag {
    private static final Pattern TAG = Pattern.compile("\\[jbcc:(\\d+):(\\d+)]$");
    private static final long PID = ProcessHandle.current().pid();
    private static final String START = startTime(PID);
    private static final String CURRENT = "[jbcc:" + PID + ":" + START + "]";

    private OwnerTag() {}

    /** This process's tag, the suffix of a name: {@code [jbcc:PID:START]}. */
    public static String current() {
        return CURRENT;
    }

    /** This process's pid. */
    public static long pid() {
        return PID;
    }

    /** This process's start time, in clock ticks after boot. */
    public static String start() {
        return START;
    }

    /** Whether {@code name} ends with a tag ({@link #current()}'s form) of a process that no longer runs. */
    public static boolean leftByADeadProcess(String name) {
        if (name == null) return false;
        Matcher m = TAG.matcher(name);
        return m.find() && isGone(Long.parseLong(m.group(1)), m.group(2));
    }

    /**
     * Whether the process {@code pid} that started at {@code start} (clock ticks after boot) no
     * longer runs: no process has that pid, or the one that has it started at another time.
     */
    public static boolean isGone(long pid, String start) {
        return !start.equals(startTime(pid));
    }

    /** The start time of process {@code pid} in clock ticks after boot, or "" if it does not run. */
    public static String startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // after "(comm)", which may hold spaces: state is field 3, starttime field 22
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields.length > 19 ? fields[19] : "";
        } catch (IOException e) {
            return "";
        }
    }
}
