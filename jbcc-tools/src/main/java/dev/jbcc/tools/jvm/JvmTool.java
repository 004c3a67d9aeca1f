package dev.jbcc.tools.jvm;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.HashTable;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.bcc.USDT;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@code jbcc jvm} tool: it watches one JVM ({@code -p PID}, or bcc's positional PID:
 * {@link JvmPidTool}) or every JVM, through HotSpot's USDT probes in {@code libjvm.so}. {@link #attach} finds the targets,
 * checks the {@code -XX} flags the probes need, and loads the tool's C once per {@code libjvm.so}
 * (two JDKs' libraries have their probes at different places).
 */
public abstract class JvmTool extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this JVM only (default: every JVM that runs a libjvm.so found running when the tool starts).")
    Integer pidOption;

    private final Map<Integer, String> names = new ConcurrentHashMap<>();

    /** The PID given as bcc's positional argument ({@link JvmPidTool}), or null. */
    protected Integer pidArgument() {
        return null;
    }

    /** The process id asked for, or null for every JVM. */
    protected Integer pid() {
        Integer pidArgument = pidArgument();
        if (pidOption != null && pidArgument != null && !pidOption.equals(pidArgument)) {
            throw usage("two PIDs: -p " + pidOption + " and " + pidArgument + "; give one");
        }
        return pidOption != null ? pidOption : pidArgument;
    }

    /** The tool's C loaded for each {@code libjvm.so} of the targets; closing detaches everything. */
    public record Attached(List<Target> targets) implements AutoCloseable {
        /** One load: the libjvm.so, the JVMs running it that are traced, and the program. */
        public record Target(Path libjvm, List<Jvm> jvms, BPF bpf) {}

        public List<BPF> bpfs() {
            return targets.stream().map(Target::bpf).toList();
        }

        @Override
        public void close() {
            RuntimeException first = null;
            for (Target t : targets) {
                try {
                    t.bpf().close();
                } catch (RuntimeException e) {
                    if (first == null) first = e; else first.addSuppressed(e);
                }
            }
            if (first != null) throw first;
        }
    }

    /**
     * The JVMs to trace: the one asked for, or every one running but jbcc's own.
     *
     * @throws NotFoundException if the PID is no JVM, or none is running
     */
    protected List<Jvm> targets() {
        Integer pid = pid();
        if (pid != null) return List.of(Jvm.of(pid));
        List<Jvm> all = Jvm.running();
        if (all.isEmpty()) throw new NotFoundException("no JVM is running (no process maps libjvm.so); start one, or give -p PID");
        return all;
    }

    /**
     * Loads {@code resource} (beside the tool's class) for the targets with {@code probes} enabled:
     * each HotSpot probe's C function. {@code SKIP_PID} is defined for the C: jbcc's own pid when
     * every JVM is traced (this JVM runs a libjvm.so too), else 0.
     *
     * @throws NotFoundException naming the flag to add when a JVM asked for cannot fire a probe
     */
    protected Attached attach(Session s, String resource, Map<String, ?> defines, Map<HotSpotProbe, String> probes) {
        return attach(s, resource, defines, probes, List.of());
    }

    /**
     * As {@link #attach(Session, String, Map, Map)}, but the JVMs need not fire the probes of
     * {@code optional}: those are enabled all the same, and fire in the JVMs that run with their flag.
     */
    protected Attached attach(Session s, String resource, Map<String, ?> defines, Map<HotSpotProbe, String> probes,
                              List<HotSpotProbe> optional) {
        List<Jvm> jvms = armed(s, targets(), probes.keySet().stream().filter(p -> !optional.contains(p)).toList());
        Map<Path, List<Jvm>> byLibrary = new LinkedHashMap<>();
        for (Jvm j : jvms) {
            byLibrary.computeIfAbsent(j.libjvm(), k -> new ArrayList<>()).add(j);
            names.put(j.pid(), j.name());
        }
        Map<String, Object> all = new LinkedHashMap<>(defines);
        all.put("SKIP_PID", pid() == null ? ProcessHandle.current().pid() : 0);
        List<Attached.Target> loaded = new ArrayList<>();
        try {
            for (var e : byLibrary.entrySet()) {
                USDT usdt = pid() != null ? USDT.of(e.getKey(), pid()) : USDT.ofPath(e.getKey());
                probes.forEach((probe, function) -> usdt.enableProbe(probe.qualifiedName(), function));
                s.verbose("probes of " + e.getKey() + " for " + e.getValue().stream().map(j -> j.pid() + " " + j.name()).toList());
                loaded.add(new Attached.Target(e.getKey(), List.copyOf(e.getValue()),
                        s.load(getClass(), resource, "", all, List.of(usdt))));
            }
        } catch (RuntimeException e) {
            new Attached(loaded).close();
            throw e;
        }
        return new Attached(List.copyOf(loaded));
    }

    /** The JVMs that fire {@code probes}; one asked for by PID that cannot is an error naming the flag to add. */
    private List<Jvm> armed(Session s, List<Jvm> jvms, List<HotSpotProbe> probes) {
        if (probes.stream().allMatch(p -> p.flag() == null)) return jvms;
        List<Jvm> armed = new ArrayList<>();
        String lastMissing = null;
        for (Jvm j : jvms) {
            JvmFlags flags = JvmFlags.of(j);
            s.verbose("flags of " + j.pid() + " from " + flags.source());
            var missing = flags.missingFor(probes, j);
            if (missing.isEmpty()) {
                armed.add(j);
            } else if (pid() != null) {
                throw new NotFoundException(missing.get());
            } else {
                s.note(s.tool() + ": skipping " + missing.get());
                lastMissing = missing.get();
            }
        }
        if (armed.isEmpty()) throw new NotFoundException("no JVM can be traced: " + lastMissing);
        return armed;
    }

    /** The name of the JVM {@code pid} (its main class, source file or jar), for a column. */
    protected String jvmName(int pid) {
        return names.computeIfAbsent(pid, Jvm::mainName);
    }

    /** "JVM 1234 (Main)" or "every JVM", for the "Tracing …" line. */
    protected String describeTargets() {
        Integer pid = pid();
        return pid != null ? "JVM " + pid + " (" + jvmName(pid) + ")" : "every JVM";
    }

    /**
     * Reads and empties hash table {@code table} of every program, summing the values' {@code fields}
     * by the name {@code key} gives each key; the rows sorted by field {@code sortBy} (largest last,
     * as bcc prints them), the last {@code top} only when it is not null.
     */
    protected static List<Map.Entry<String, long[]>> drain(Attached attached, String table, Function<Value, String> key,
                                                           int sortBy, Integer top, String... fields) {
        Map<String, long[]> sums = new TreeMap<>();
        for (BPF b : attached.bpfs()) {
            HashTable t = b.get(table);
            for (var e : t.itemsLookupAndDeleteBatch()) {
                long[] sum = sums.computeIfAbsent(key.apply(e.getKey()), k -> new long[fields.length]);
                for (int i = 0; i < fields.length; i++) sum[i] += e.getValue().getLong(fields[i]);
            }
        }
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(sums.entrySet());
        rows.sort(Comparator.comparingLong(e -> e.getValue()[sortBy]));
        return top != null && rows.size() > top ? rows.subList(rows.size() - top, rows.size()) : rows;
    }

    /**
     * The event tools' run: attaches, prints {@code columns}' header, then hands each record of
     * every program's {@code events} perf buffer to {@code onEvent} until stopped. {@code extra}
     * attaches what else a tool needs to each program (uprobes), before tracing begins.
     */
    protected final void traceEvents(Session s, String resource, Map<String, ?> defines, Map<HotSpotProbe, String> probes,
                                     String what, Columns columns, Consumer<Attached.Target> extra, Consumer<Value> onEvent) {
        try (Attached a = attach(s, resource, defines, probes)) {
            for (Attached.Target t : a.targets()) {
                extra.accept(t);
                PerfEventArray events = t.bpf().get("events");
                events.openPerfBuffer((cpu, data, size) -> onEvent.accept(events.event(data)));
            }
            s.note("Tracing " + what + " in " + describeTargets() + "... Ctrl-C to quit.");
            s.header(columns);
            pollUntilStopped(s, a);
        }
    }

    /** Polls every program's perf buffers until the tool is stopped; the callbacks print. */
    private static void pollUntilStopped(Session s, Attached attached) {
        List<BPF> bpfs = attached.bpfs();
        int slice = Math.max(1, 100 / Math.max(1, bpfs.size()));
        while (s.running()) {
            for (BPF b : bpfs) b.perfBufferPollIfOpen(slice);
            s.out().flush();
        }
        for (BPF b : bpfs) b.perfBufferPollIfOpen(0);
        s.out().flush();
    }
}
