package dev.jbcc.cli;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.RingBuf;
import dev.jbcc.bcc.StopSignal;
import dev.jbcc.bcc.Table;
import dev.jbcc.bcc.Value;
import dev.jbcc.bcc.dialect.BccFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jbcc run prog.c [-d SECS]}: a bcc-dialect program loaded, its functions attached by
 * name as bcc does, and its output printed (trace_pipe lines, perf and ring buffer records
 * decoded as the submitted struct) until Ctrl-C or the duration ends.
 */
@Command(name = "run", description = {
        "Run a bcc-style C program and print its output until Ctrl-C or -d SECS.",
        "Its functions are attached by name, as bcc does: kprobe__X, kretprobe__X, tracepoint__CAT__EV "
                + "(TRACEPOINT_PROBE), raw_tracepoint__X, kfunc__X, kretfunc__X, lsm__X. "
                + "Its bpf_trace_printk lines and its perf and ring buffer records (decoded as the submitted struct) are printed."})
final class RunCommand implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROG.c", description = "The bcc-dialect C program.")
    Path source;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECS", description = "Stop after this many seconds.")
    Double seconds;

    @Option(names = {"-D", "--define"}, paramLabel = "NAME[=VALUE]", description = "Define a macro (bcc's cflags).")
    List<String> defines = new ArrayList<>();

    @Option(names = "--cflag", paramLabel = "FLAG", description = "Pass a flag to clang.")
    List<String> cflags = new ArrayList<>();

    @Option(names = "--debug", paramLabel = "FLAGS", converter = FlagsConverter.class,
            description = "bcc's debug flags, decimal or 0x hex: 0x1 prints the LLVM IR, 0x4 or 0x8 the rewritten C.")
    int debug;

    /** Flags as C writes them: 8, 0x8, 010. */
    static final class FlagsConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int flags = Integer.decode(value);
                if (flags < 0) throw new CommandLine.TypeConversionException("'" + value + "' is negative");
                return flags;
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a number (e.g. 8 or 0x8)");
            }
        }
    }

    @Override
    public Integer call() {
        if (seconds != null && !(seconds > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-d SECS must be positive, not " + seconds);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> flags = new ArrayList<>(cflags);
        for (String d : defines) flags.add("-D" + d);
        // Ctrl-C ends the loop; the BPF closes (detaching everything) before the JVM exits.
        try (StopSignal stop = StopSignal.trap(); BPF b = BPF.builder().file(source).cflags(flags).debug(debug).build()) {
            List<BccFunction> attached = b.program().functions().stream().filter(f -> f.autoAttach() != null).toList();
            if (attached.isEmpty()) {
                // Nothing would ever run: waiting for Ctrl-C would only look like a program with no events.
                err.println("jbcc: " + source + " has nothing to attach: name a function kprobe__X, tracepoint__CAT__EV,"
                        + " raw_tracepoint__X, kfunc__X or lsm__X, or use TRACEPOINT_PROBE; to attach it yourself, load it"
                        + " from Java with BPF.loadFunc and attach*");
                return Main.EXIT_ERROR;
            }
            err.println("jbcc: attached " + attached.stream().map(BccFunction::name).toList()
                    + (seconds != null ? " for " + seconds + " s" : "; Ctrl-C to stop"));
            err.flush();
            boolean outputs = false;
            for (Table t : b.tables().values()) {
                switch (t) {
                    case PerfEventArray perf -> {
                        perf.openPerfBuffer((cpu, data, size) -> print(out, perf, decode(perf, data)));
                        outputs = true;
                    }
                    case RingBuf ring -> {
                        ring.openRingBuffer((data, size) -> print(out, ring, decode(ring, data)));
                        outputs = true;
                    }
                    default -> { }
                }
            }
            boolean printk = b.program().source().contains("bpf_trace_printk");
            long deadline = seconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
            while (!stop.received() && System.nanoTime() < deadline) {
                if (printk) {
                    for (String line = b.traceReadline(Duration.ofMillis(100)); line != null; line = b.traceReadline(Duration.ZERO)) {
                        out.println(line);
                    }
                }
                if (outputs) {
                    b.perfBufferPollIfOpen(printk ? 0 : 100);
                    b.ringBufferConsumeIfOpen();
                }
                if (!printk && !outputs) stop.sleep(Duration.ofMillis(100));
                out.flush();
                if (out.checkError()) break; // standard output closed (`jbcc run p.c | head`): a normal end
            }
            return 0;
        } finally {
            out.flush();
        }
    }

    private static String decode(Table table, MemorySegment data) {
        try {
            Value v = table instanceof PerfEventArray p ? p.event(data) : ((RingBuf) table).event(data);
            return v.toString();
        } catch (IllegalStateException e) {
            // No struct type known for this output: show the bytes.
            return java.util.HexFormat.of().formatHex(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    private static void print(PrintWriter out, Table table, String text) {
        out.println(table.name() + ": " + text);
    }
}
