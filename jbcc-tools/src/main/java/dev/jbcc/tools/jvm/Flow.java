package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc jvm flow}: bcc's javaflow (uflow -l java), method entries and returns as a call graph. */
@Command(name = "flow", mixinStandardHelpOptions = true,
        description = {"Trace Java method entries and returns, indented by call depth: the flow of a program."},
        footer = {"", "examples:",
                "    jbcc jvm flow -p 1234                      # every call in JVM 1234",
                "    jbcc jvm flow -C java.lang.String 1234     # only methods of classes starting with java.lang.String",
                "    jbcc jvm flow -M index -p 1234             # only methods whose name starts with \"index\"",
                "    jbcc jvm flow --json -C com.example 1234   # one JSON object per entry or return",
                "",
                "The JVM must run with -XX:+DTraceMethodProbes (JDK 17: or -XX:+ExtendedDTraceProbes); the",
                "tool reads the JVM's flags (jcmd) and says so if not. Tracing every call slows the JVM a lot:",
                "narrow it with -C and -M."})
public final class Flow extends JvmPidTool {
    static final Columns COLUMNS = Columns.of("%-3d %-7d %-7d %-8.3f %s", "CPU", "PID", "TID", "TIME(s)", "METHOD");

    @Option(names = {"-M", "--method"}, paramLabel = "PREFIX", description = "Only methods whose name starts with this prefix.")
    String method = "";

    @Option(names = {"-C", "--class"}, paramLabel = "PREFIX", description = "Only methods of classes whose name (with dots) starts with this prefix.")
    String klass = "";

    @Override
    protected void run(Session s) {
        if (klass.length() > 63 || method.length() > 63) throw usage("a prefix has at most 63 characters");
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("CLASS_PREFIX", literal(klass.replace('.', '/')));
        defines.put("CLASS_PREFIX_LEN", klass.getBytes(StandardCharsets.UTF_8).length);
        defines.put("METHOD_PREFIX", literal(method));
        defines.put("METHOD_PREFIX_LEN", method.getBytes(StandardCharsets.UTF_8).length);
        // HotSpot's System.nanoTime() reads CLOCK_MONOTONIC, as bpf_ktime_get_ns() does.
        long start = System.nanoTime();
        traceEvents(s, "flow.bpf.c", defines,
                Map.of(HotSpotProbe.METHOD_ENTRY, "method_entry", HotSpotProbe.METHOD_RETURN, "method_return"),
                "method calls", COLUMNS, t -> { }, c -> {
                    long d = c.getLong("depth");
                    long depth = d & Long.MAX_VALUE;
                    String name = c.getString("klass").replace('/', '.') + "." + c.getString("method");
                    s.row(COLUMNS, c.getLong("cpu"), c.getLong("pid"), c.getLong("tid"), (c.getLong("ts") - start) / 1e9,
                            "  ".repeat((int) Math.max(0, Math.min(depth - 1, 200))) + (d < 0 ? "<- " : "-> ") + name);
                });
    }

    /** A C string literal of {@code text} (printable ASCII as is, the rest escaped). */
    private static String literal(String text) {
        StringBuilder c = new StringBuilder("\"");
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\' && b != '\'') c.append((char) b);
            else c.append(String.format("\\%03o", b & 0xff));
        }
        return c.append('"').toString();
    }
}
