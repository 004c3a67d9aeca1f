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
        "Load a bcc-style C program, attach its kprobe__/kretprobe__/tracepoint__/raw_tracepoint__/kfunc__/",
        "kretfunc__/lsm__ functions by name, and print its bpf_trace_printk lines and perf/ring buffer",
        "records until Ctrl-C or -d SECS."})
final class RunCommand implements java.util.concurrent.Callable<Integer> {

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

    @Option(names = "--debug", paramLabel = "FLAGS", description = "bcc's debug flags (0x8 prints the rewritten C).")
    int debug;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> flags = new ArrayList<>(cflags);
        for (String d : defines) flags.add("-D" + d);
        // Ctrl-C ends the loop; the BPF closes (detaching everything) before the JVM exits.
        try (StopSignal stop = StopSignal.trap(); BPF b = BPF.builder().file(source).cflags(flags).debug(debug).build()) {
            List<BccFunction> attached = b.program().functions().stream().filter(f -> f.autoAttach() != null).toList();
            if (attached.isEmpty()) {
                err.println("jbcc: warning: " + source + " has no function named for auto-attach (kprobe__X, tracepoint__CAT__EV,"
                        + " raw_tracepoint__X, ...); nothing will run");
            } else {
                err.println("jbcc: attached " + attached.stream().map(BccFunction::name).toList()
                        + (seconds != null ? " for " + seconds + " s" : "; Ctrl-C to stop"));
            }
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
