package dev.jbcc.tools;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.errors.NotFoundException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Stacks that a tool's BPF stored with {@code get_stackid} (a BPF_STACK_TRACE table), as bcc's
 * tools print them. The static methods name one stack's frames, innermost first ({@link
 * #kernel(StackTrace, long, boolean, boolean)}, {@link #user(StackTrace, long, int, boolean,
 * boolean)}), and fold them into one line for flame graphs ({@link #folded(String, List, List,
 * boolean, long)}). An instance prints a whole table of counted stacks as profile, offcputime and
 * the like do: a block of frames per stack, innermost first, then the task and its value; or with
 * {@code -f} one folded line per stack; or under {@code --json} one object per stack. Kernel frames
 * are named through kallsyms ({@link BPF#ksym}), user frames through the process's own mappings
 * ({@link BPF#sym}), and a HotSpot JVM's Java frames (JIT-compiled methods, the interpreter) through
 * the perf map it writes on request ({@link JavaSymbols}).
 */
public final class Stacks {
    /** How deep in a stack the frames of the BPF program and of what ran it are looked for. */
    private static final int MACHINERY_DEPTH = 8;

    /** {@code -EFAULT} from get_stackid: there is no such stack (a kernel thread's user stack). */
    private static final int NO_STACK = -14;

    /**
     * What of each stack is shown: only user frames ({@code -U}), only kernel frames ({@code -K}),
     * a delimiter between the two ({@code -d}), kernel frames marked {@code _[k]} ({@code -a}).
     */
    public record Options(boolean userOnly, boolean kernelOnly, boolean delimited, boolean annotations) {
        public Options {
            if (userOnly && kernelOnly) throw new IllegalArgumentException("user-only and kernel-only stacks exclude each other");
        }

        /** Both stacks, undelimited, unannotated. */
        public static Options both() {
            return new Options(false, false, false, false);
        }

        boolean delimiter() {
            return delimited && !userOnly && !kernelOnly;
        }
    }

    /**
     * One counted stack: the task it was taken in ({@code tgid} is the process whose mappings name
     * its user frames; {@code pid} is what bcc prints beside the name), the ids get_stackid
     * returned (negative: its error), and the tool's value for it (samples, microseconds, ...).
     */
    public record Stack(String comm, long pid, long tgid, long userStackId, long kernelStackId, long value) {
    }

    private final StackTrace table;
    private final Options options;
    private int missed;
    /** The Java symbols of each process whose user stacks were named so far (empty: not a JVM). */
    private final Map<Long, Optional<JavaSymbols>> java = new HashMap<>();
    private Consumer<String> verbose = line -> { };
    private final Set<Long> askJvms = new HashSet<>();

    public Stacks(StackTrace table, Options options) {
        this.table = table;
        this.options = options;
    }

    /**
     * Asks those of {@code pids} that are HotSpot JVMs for their perf map (jcmd) when their Java
     * frames are named; other JVMs' Java frames are named only from a perf map they already wrote.
     * A tool passes the processes it was told to watch ({@code -p}); the JVMs it merely saw are not
     * attached to.
     */
    public Stacks askJvms(int... pids) {
        for (int p : pids) askJvms.add((long) p);
        return this;
    }

    /**
     * The kernel frames of a stack, innermost first, without the BPF program and the tracepoint
     * code that ran it: empty without one, one placeholder if it was lost.
     */
    public List<String> kernel(long stackId) {
        if (stackId == NO_STACK) return List.of();
        if (stackId < 0) {
            missed++;
            return List.of("[Missed Kernel Stack]");
        }
        String mark = options.annotations() ? "_[k]" : "";
        List<String> frames = kernel(table, stackId, false, false);
        // the machinery's frames come first; the program's own may be named after whatever kernel
        // symbol precedes it, so everything up to the outermost machinery frame near the top goes
        int from = 0;
        for (int i = 0; i < Math.min(frames.size() - 1, MACHINERY_DEPTH); i++) if (isTracingMachinery(frames.get(i))) from = i + 1;
        List<String> shown = new ArrayList<>(frames.size() - from);
        for (String f : frames.subList(from, frames.size())) shown.add(f + mark);
        return shown;
    }

    /**
     * Whether a frame is the BPF program itself or what ran it: a stack taken at a (raw)
     * tracepoint begins with them, above the code the tool is about.
     */
    private static boolean isTracingMachinery(String frame) {
        return frame.startsWith("bpf_prog_") || frame.startsWith("bpf_trace_run") || frame.startsWith("__traceiter_")
                || frame.startsWith("__bpf_trace_") || frame.startsWith("trace_call_bpf") || frame.startsWith("perf_trace_");
    }

    /** The user frames of a stack in process {@code tgid}, innermost first, as {@link #kernel}. */
    public List<String> user(long stackId, long tgid) {
        if (stackId == NO_STACK) return List.of();
        if (stackId < 0) {
            missed++;
            return List.of("[Missed User Stack]");
        }
        try {
            Optional<JavaSymbols> jvm = java.computeIfAbsent(tgid, p -> JavaSymbols.of(p.intValue(), askJvms.contains(p), verbose));
            if (jvm.isEmpty()) return user(table, stackId, (int) tgid, false, false);
            // JIT-compiled code and the interpreter are in anonymous memory, which the JVM's perf map names
            return table.walk((int) stackId, ip -> {
                String symbol = BPF.sym(ip, (int) tgid);
                return symbol.equals("[unknown]") ? jvm.get().resolve(ip).orElse(symbol) : symbol;
            });
        } catch (NotFoundException processGone) {
            // the process ended before its stacks were printed: its mappings are gone, as in bcc
            return table.walk((int) stackId, ip -> "[unknown]");
        }
    }

    /** bcc's folded line: {@code comm;frame;...;frame value}, outermost frame first (user, then "-" with -d, then kernel). */
    public String folded(Stack s) {
        List<String> user = options.kernelOnly() ? List.of() : user(s.userStackId(), s.tgid());
        List<String> kernel = options.userOnly() ? List.of() : kernel(s.kernelStackId());
        return folded(s.comm(), user, kernel, options.delimiter(), s.value());
    }

    /** bcc's block for a stack: kernel frames, "--" with -d, user frames, then the task and the value, and a blank line. */
    public String block(Stack s) {
        StringBuilder b = new StringBuilder();
        if (!options.userOnly()) for (String f : kernel(s.kernelStackId())) b.append("    ").append(f).append('\n');
        if (!options.kernelOnly()) {
            if (options.delimiter() && s.userStackId() >= 0 && s.kernelStackId() >= 0) b.append("    --\n");
            for (String f : user(s.userStackId(), s.tgid())) b.append("    ").append(f).append('\n');
        }
        b.append(String.format("    %-16s %s (%d)%n", "-", s.comm(), s.pid()));
        b.append(String.format("        %d%n", s.value()));
        return b.toString();
    }

    /** A stack as a JSON object: comm, pid, the frames innermost first, and the value under {@code valueName}. */
    public Map<String, Object> object(Stack s, String valueName) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("comm", s.comm());
        o.put("pid", s.pid());
        if (!options.kernelOnly()) o.put("user_stack", user(s.userStackId(), s.tgid()));
        if (!options.userOnly()) o.put("kernel_stack", kernel(s.kernelStackId()));
        o.put(valueName, s.value());
        return o;
    }

    /**
     * Prints {@code stacks} in bcc's order (smallest value first, so the biggest is nearest the
     * prompt): folded lines, blocks, or under {@code --json} objects; then, on standard error, how
     * many stacks were lost, if any.
     */
    public void print(Session s, List<Stack> stacks, boolean folded, String valueName) {
        List<Stack> sorted = new ArrayList<>(stacks);
        sorted.sort(Comparator.comparingLong(Stack::value));
        missed = 0;
        verbose = s::verbose;
        for (Stack st : sorted) {
            if (s.json()) s.object(object(st, valueName));
            else if (folded) s.out().println(folded(st));
            else s.out().println(block(st));
        }
        s.out().flush();
        if (missed > 0) {
            s.note("WARNING: " + missed + " stack traces were lost and could not be displayed"
                    + " (the stack table was full or two stacks hashed alike; try a larger --stack-storage-size).");
        }
    }

    /** The folded lines of {@code stacks} as a map (line without value → value), for a flame graph. */
    public Map<String, Long> foldedCounts(List<Stack> stacks) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Stack st : stacks) {
            String line = folded(st);
            out.merge(line.substring(0, line.lastIndexOf(' ')), st.value(), Long::sum);
        }
        return Collections.unmodifiableMap(out);
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

    /** As {@link #kernel(StackTrace, long, boolean, boolean)} for a user stack of process {@code pid}. */
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
