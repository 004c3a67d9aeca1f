package dev.jbcc.tools;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * bcc's {@code -p PID[,PID...]} / {@code -t TID[,TID...]} filters as a C condition for a tool's
 * program: an expression of its local variables {@code tgid} and {@code tid}, defined (e.g. as
 * {@code THREAD_FILTER}) for code like {@code if (!(THREAD_FILTER)) return 0;}.
 */
public final class ThreadFilter {
    private ThreadFilter() {
    }

    /**
     * {@code tgid == 1 || tgid == 2} for PIDs, {@code tid == ...} for TIDs, {@code 1} when neither
     * is given (both null).
     *
     * @throws picocli.CommandLine.ParameterException (a usage error of {@code tool}) for an id that is not positive
     */
    public static String condition(Tool tool, int[] pids, int[] tids) {
        if (pids == null && tids == null) return "1";
        boolean byPid = pids != null;
        int[] ids = byPid ? pids : tids;
        for (int id : ids) if (id <= 0) throw tool.usage((byPid ? "PID" : "TID") + " must be positive, not " + id);
        String var = byPid ? "tgid" : "tid";
        return Arrays.stream(ids).mapToObj(id -> var + " == " + id).collect(Collectors.joining(" || "));
    }

    /** "all threads", "PID 185,186", "TID 188": what the filter keeps, for a tool's first line. */
    public static String describe(int[] pids, int[] tids) {
        if (pids != null) return "PID " + Arrays.stream(pids).mapToObj(String::valueOf).collect(Collectors.joining(","));
        if (tids != null) return "TID " + Arrays.stream(tids).mapToObj(String::valueOf).collect(Collectors.joining(","));
        return "all threads";
    }
}
