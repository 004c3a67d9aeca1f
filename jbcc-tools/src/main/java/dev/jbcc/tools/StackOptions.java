package dev.jbcc.tools;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The stack options bcc's stack tools share, as a picocli mixin: {@code -U}/{@code -K} (only user
 * or only kernel frames), {@code -d} (a delimiter between them), {@code -f} (folded lines), and
 * jbcc's {@code --flamegraph FILE} (an interactive flame graph of the same stacks).
 *
 * <pre>{@code
 * @Mixin StackOptions stacks;
 * ...
 * stacks.print(s, new Stacks(b.get("stack_traces"), stacks.options()), found, "usecs");
 * }</pre>
 */
public final class StackOptions {
    @ArgGroup(exclusive = true)
    Which which;

    static final class Which {
        @Option(names = {"-U", "--user-stacks-only"}, description = "Show stacks from user space only (no kernel space stacks).")
        boolean userOnly;

        @Option(names = {"-K", "--kernel-stacks-only"}, description = "Show stacks from kernel space only (no user space stacks).")
        boolean kernelOnly;
    }

    @Option(names = {"-d", "--delimited"}, description = "Insert a delimiter between kernel and user stacks.")
    boolean delimited;

    @Option(names = {"-f", "--folded"}, description = "Output folded format, one line per stack (for flame graphs).")
    boolean folded;

    @Option(names = "--flamegraph", paramLabel = "FILE",
            description = "Also write an interactive flame graph of the stacks to FILE (.html, or .svg).")
    Path flamegraph;

    /** What the options ask to show, {@code annotations} ({@code -a}, kernel frames marked) as the tool has it. */
    public Stacks.Options options(boolean annotations) {
        return new Stacks.Options(which != null && which.userOnly, which != null && which.kernelOnly, delimited, annotations);
    }

    /** {@link #options(boolean)} without annotations. */
    public Stacks.Options options() {
        return options(false);
    }

    /** The defines a stack tool's C reads: USER_STACKS and KERNEL_STACKS (1 to take them, 0 not, as -K or -U ask). */
    public void define(Map<String, Object> defines) {
        Stacks.Options o = options();
        defines.put("USER_STACKS", o.kernelOnly() ? 0 : 1);
        defines.put("KERNEL_STACKS", o.userOnly() ? 0 : 1);
    }

    /** Whether {@code -f} was given. */
    public boolean folded() {
        return folded;
    }

    /** The file {@code --flamegraph} names, or null. */
    public Path flamegraph() {
        return flamegraph;
    }

    /** "user + kernel", "user", "kernel": which stacks are shown, in bcc's words. */
    public String which() {
        Stacks.Options o = options();
        return o.userOnly() ? "user" : o.kernelOnly() ? "kernel" : "user + kernel";
    }

    /** Prints {@code found} as the options ask ({@link Stacks#print}), and writes the flame graph if one was asked for. */
    public void print(Session s, Stacks printer, List<Stacks.Stack> found, String valueName) throws IOException {
        printer.print(s, found, folded, valueName);
        if (flamegraph != null) {
            FlameGraph.write(flamegraph, printer.foldedCounts(found), s.tool() + ": " + valueName);
            s.note("wrote flame graph " + flamegraph);
        }
    }
}
