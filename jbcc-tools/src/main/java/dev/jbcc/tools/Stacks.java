package dev.jbcc.tools;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.StackTrace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Stacks that a tool's BPF stored with {@code stacks.get_stackid(ctx, flags)}, as bcc's tools print
 * them: one symbol per frame, innermost first ({@link #kernel}, {@link #user}), or as one folded
 * line for flame graphs ({@link #folded}).
 */
public final class Stacks {
    private Stacks() {
    }

    /**
     * The kernel frames of stack {@code id} (none for a negative id), innermost first: the symbol,
     * {@code +0x…} with {@code offset}, the address before it with {@code address}.
     */
    public static List<String> kernel(StackTrace table, long id, boolean offset, boolean address) {
        List<String> out = new ArrayList<>();
        if (id < 0) return out;
        for (long ip : table.walk((int) id)) out.add(frame(ip, BPF.ksym(ip, false, offset), address));
        return out;
    }

    /** As {@link #kernel} for a user stack of process {@code pid}. */
    public static List<String> user(StackTrace table, long id, int pid, boolean offset, boolean address) {
        List<String> out = new ArrayList<>();
        if (id < 0) return out;
        for (long ip : table.walk((int) id)) out.add(frame(ip, BPF.sym(ip, pid, false, offset), address));
        return out;
    }

    private static String frame(long ip, String symbol, boolean address) {
        return address ? String.format(Locale.ROOT, "%-16x %s", ip, symbol) : symbol;
    }

    /**
     * One folded line, outermost frame first, as flame graph tools read it:
     * {@code comm;user frames;-;kernel frames count} ({@code comm} left out when null or empty,
     * {@code -} only when {@code delimiter} and both stacks have frames).
     *
     * @param user   user frames, innermost first
     * @param kernel kernel frames, innermost first
     */
    public static String folded(String comm, List<String> user, List<String> kernel, boolean delimiter, long count) {
        List<String> parts = new ArrayList<>();
        if (comm != null && !comm.isEmpty()) parts.add(comm);
        for (int i = user.size() - 1; i >= 0; i--) parts.add(user.get(i));
        if (delimiter && !user.isEmpty() && !kernel.isEmpty()) parts.add("-");
        for (int i = kernel.size() - 1; i >= 0; i--) parts.add(kernel.get(i));
        return String.join(";", parts) + " " + count;
    }
}
