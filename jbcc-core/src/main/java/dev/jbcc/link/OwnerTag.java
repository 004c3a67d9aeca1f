package dev.jbcc.link;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mark jbcc puts on what it attaches through netlink, which outlives a killed process: the
 * attaching process's pid and its start time (field 22 of /proc/PID/stat, so that a reused pid
 * does not pass for the same process), appended to a TC filter's name: {@code tc_drop[jbcc:1234:5678]}.
 */
final class OwnerTag {
    private static final Pattern TAG = Pattern.compile("\\[jbcc:(\\d+):(\\d+)]$");
    private static final String CURRENT = "[jbcc:" + ProcessHandle.current().pid() + ":" + startTime(ProcessHandle.current().pid()) + "]";

    private OwnerTag() {}

    /** This process's tag. */
    static String current() {
        return CURRENT;
    }

    /** Whether {@code name} carries a tag of a process that no longer runs. */
    static boolean leftByADeadProcess(String name) {
        if (name == null) return false;
        Matcher m = TAG.matcher(name);
        if (!m.find()) return false;
        long pid = Long.parseLong(m.group(1));
        return !m.group(2).equals(startTime(pid));
    }

    /** The start time of process {@code pid} in clock ticks after boot, or "" if it does not run. */
    static String startTime(long pid) {
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
