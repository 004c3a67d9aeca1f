package dev.jbcc.tools.tracing;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.USDT;
import dev.jbcc.symbols.Libraries;
import dev.jbcc.tools.Probe;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import dev.jbcc.tools.Tracepoints;
import dev.jbcc.usdt.UsdtProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code jbcc tplist}: the kernel's tracepoints, or the USDT probes of a binary or process, with their fields. */
@Command(name = "tplist", mixinStandardHelpOptions = true,
        description = {"List kernel tracepoints or USDT probes and their formats."},
        footer = {"", "examples:",
                "    jbcc tplist                          # every tracepoint, as category:event",
                "    jbcc tplist 'sched:*'                # the scheduler's tracepoints",
                "    jbcc tplist -v 'syscalls:sys_enter_openat'   # with their fields",
                "    jbcc tplist -l /usr/lib/x86_64-linux-gnu/libc.so.6   # USDT probes of libc",
                "    jbcc tplist -l c -v '*setjmp*'       # with their locations and arguments",
                "    jbcc tplist -p 1234                  # USDT probes of process 1234's binaries",
                "    jbcc tplist --json -v 'block:*'      # one JSON object per tracepoint"})
public final class Tplist extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "List USDT probes in the specified process.")
    Integer pid;

    @Option(names = {"-l", "--lib"}, paramLabel = "LIB", description = "List USDT probes in the specified library or executable.")
    String lib;

    @Option(names = "-v", description = "Increase verbosity level (print fields, locations, arguments); twice for each location's arguments.")
    boolean[] verbosity = new boolean[0];

    @Parameters(index = "0", arity = "0..1", paramLabel = "filter", description = "Which probes or tracepoints to print (* wildcards).")
    String filter;

    @Override
    protected void run(Session s) {
        Pattern match = Pattern.compile(filter == null ? ".*" : Probe.wildcard(filter));
        s.ready();
        if (pid != null || lib != null) usdt(s, match);
        else tracepoints(s, match);
    }

    private void tracepoints(Session s, Pattern match) {
        for (String tp : BPF.getTracepoints(".*")) {
            if (!match.matcher(tp).matches()) continue;
            List<String> fields = verbosity.length > 0 ? Tracepoints.fields(tp) : List.of();
            if (s.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("tracepoint", tp);
                if (verbosity.length > 0) o.put("fields", fields);
                s.object(o);
                continue;
            }
            s.out().println(tp);
            for (String f : fields) s.out().println("    " + f + ";");
        }
    }

    private void usdt(Session s, Pattern match) {
        USDT context = pid != null && lib != null ? USDT.of(Libraries.resolve(lib, pid), pid)
                : pid != null ? USDT.ofPid(pid) : USDT.ofPath(Libraries.resolve(lib, -1));
        for (UsdtProbe p : context.probes()) {
            if (!match.matcher(p.qualifiedName()).matches() && !match.matcher(p.name()).matches()) continue;
            if (s.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("binary", p.binary());
                o.put("provider", p.provider());
                o.put("name", p.name());
                o.put("locations", p.sites().size());
                o.put("arguments", p.argumentCount());
                s.object(o);
            } else if (verbosity.length == 0) {
                s.out().println(p.binary() + " " + p.qualifiedName());
            } else {
                String sema = p.hasSemaphore() ? " [sema 0x" + Long.toHexString(p.sites().getFirst().semaphoreAddress()) + "]" : "";
                s.out().println(p.qualifiedName() + sema);
                s.out().println("  " + p.sites().size() + " location(s)");
                s.out().println("  " + p.argumentCount() + " argument(s)");
                if (verbosity.length > 1) {
                    for (var site : p.sites()) {
                        s.out().println("  location 0x" + Long.toHexString(site.address()) + ": " + site.argumentText());
                    }
                }
            }
        }
    }
}
