package dev.jbcc.tools.jvm;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.regex.Pattern;

/** {@code jbcc jvm classload}: classes as the JVM loads and unloads them (bcc has no Java counterpart). */
@Command(name = "classload", mixinStandardHelpOptions = true,
        description = {"Trace classes as JVMs load and unload them, with their class loader and whether CDS shared them."},
        footer = {"", "examples:",
                "    jbcc jvm classload -p 1234             # classes JVM 1234 loads or unloads",
                "    jbcc jvm classload -n '^com\\.example' # only classes whose name matches",
                "    jbcc jvm classload --json              # every JVM, one JSON object per class",
                "",
                "LOADER is the address of the loader's data in the JVM: classes of one loader share it."})
public final class Classload extends JvmPidTool {
    static final Columns COLUMNS = Columns.of("%-8.3f %-7d %-6s %-18s %-6s %s", "TIME", "PID", "TYPE", "LOADER", "SHARED", "CLASS");

    @Option(names = {"-n", "--name"}, paramLabel = "REGEX", description = "Only classes whose name (with dots) matches this regex.")
    String name;

    @Override
    protected void run(Session s) {
        Pattern filter = name == null ? null : Pattern.compile(name);
        traceEvents(s, "classload.bpf.c", Map.of(),
                Map.of(HotSpotProbe.CLASS_LOADED, "class_loaded", HotSpotProbe.CLASS_UNLOADED, "class_unloaded"),
                "class loading", COLUMNS, t -> { }, c -> {
                    String className = c.getString("name").replace('/', '.');
                    if (filter != null && !filter.matcher(className).find()) return;
                    s.row(COLUMNS, s.elapsedSeconds(), c.getLong("pid"), c.getLong("loaded") != 0 ? "load" : "unload",
                            "0x" + Long.toHexString(c.getLong("loader")), c.getLong("shared") != 0 ? "yes" : "no", className);
                });
    }
}
