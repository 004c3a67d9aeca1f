package dev.jbcc.tools.cpu;

import dev.jbcc.tools.ThreadFilter;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * Which threads offcputime and offwaketime watch (bcc's options): some processes, some threads,
 * user or kernel threads only, and those that left the CPU in one state. Their C reads
 * THREAD_FILTER (of tgid and tid), THREADS (0 all, 1 user, 2 kernel) and FILTER_STATE.
 */
final class ThreadChoice {
    @ArgGroup(exclusive = true)
    Which which;

    static final class Which {
        @Option(names = {"-p", "--pid"}, paramLabel = "PIDS", split = ",", description = "Trace these PIDs only (comma separated).")
        int[] pids;

        @Option(names = {"-t", "--tid"}, paramLabel = "TIDS", split = ",", description = "Trace these TIDs only (comma separated).")
        int[] tids;

        @Option(names = {"-u", "--user-threads-only"}, description = "User threads only (no kernel threads).")
        boolean user;

        @Option(names = {"-k", "--kernel-threads-only"}, description = "Kernel threads only (no user threads).")
        boolean kernel;
    }

    @Option(names = "--state", paramLabel = "STATE",
            description = "Only threads that left the CPU in this state (e.g. 2 == TASK_UNINTERRUPTIBLE, see include/linux/sched.h).")
    Long state;

    void define(Tool tool, Map<String, Object> defines) {
        defines.put("THREAD_FILTER", ThreadFilter.condition(tool, which == null ? null : which.pids, which == null ? null : which.tids));
        defines.put("THREADS", which == null ? 0 : which.user ? 1 : which.kernel ? 2 : 0);
        defines.put("FILTER_STATE", state == null ? -1 : state);
    }

    /** The processes {@code -p} names; empty without it. */
    int[] pids() {
        return which == null || which.pids == null ? new int[0] : which.pids;
    }

    /** "all threads", "PID 185", ... for the tool's first line. */
    String who() {
        if (which == null) return "all threads";
        if (which.user || which.kernel) return which.user ? "user threads" : "kernel threads";
        return ThreadFilter.describe(which.pids, which.tids);
    }
}
