package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.regex.Pattern;

/** {@code jbcc jvm compile}: methods as the JIT compiles them, with the compiler and how long it took. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Trace JIT compilations: each method compiled, by which compiler (C1: tiers 1-3, C2: tier 4), how long it took."},
        footer = {"", "examples:",
                "    jbcc jvm compile -p 1234           # methods JVM 1234 compiles",
                "    jbcc jvm compile -n 'String\\.'    # only methods whose Class.method matches",
                "    jbcc jvm compile --json            # every JVM, one JSON object per compilation"})
public final class Compile extends JvmPidTool {
    static final Columns COLUMNS = Columns.of("%-8.3f %-7d %-8s %9.3f %-3s %s", "TIME", "PID", "COMPILER", "LAT(ms)", "OK", "METHOD");

    @Option(names = {"-n", "--name"}, paramLabel = "REGEX", description = "Only methods whose Class.method (with dots) matches this regex.")
    String name;

    @Override
    protected void run(Session s) {
        Pattern filter = name == null ? null : Pattern.compile(name);
        traceEvents(s, "compile.bpf.c", Map.of(),
                Map.of(HotSpotProbe.METHOD_COMPILE_BEGIN, "compile_begin", HotSpotProbe.METHOD_COMPILE_END, "compile_end"),
                "JIT compilations", COLUMNS, t -> { }, c -> {
                    String method = c.getString("klass").replace('/', '.') + "." + c.getString("method");
                    if (filter != null && !filter.matcher(method).find()) return;
                    s.row(COLUMNS, s.elapsedSeconds(), c.getLong("pid"), c.getString("compiler"), c.getLong("duration_ns") / 1e6,
                            c.getLong("success") != 0 ? "yes" : "no", method + c.getString("signature"));
                });
    }
}
