package dev.jbcc.bcc;

import dev.jbcc.bcc.dialect.UsdtBinding;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.symbols.ProcMaps;
import dev.jbcc.usdt.Usdt;
import dev.jbcc.usdt.UsdtProbe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A USDT context, bcc's Python {@code USDT}: the probes of a process or a binary, and the ones
 * enabled for program functions. Give it to {@link BPF.Builder#usdtContexts}; the functions then
 * read their probe's arguments with {@code bpf_usdt_readarg(N, ctx, &v)} and
 * {@code bpf_usdt_readarg_p(N, ctx, buf, len)} and are attached to every site of the probe.
 *
 * <pre>{@code
 * USDT u = USDT.ofPid(pid);
 * u.enableProbe("thread__start", "trace_thread");
 * try (BPF b = BPF.builder().text(text).usdtContexts(u).build()) { ... }
 * }</pre>
 *
 * <p>A context only describes probes; it holds nothing open. The {@link BPF} built with it owns
 * the links and detaches them when it closes.
 */
public final class USDT {
    private final int pid;
    private final Path path;
    private final Map<Path, List<UsdtProbe>> probesByBinary;
    private final Map<String, Enabled> enabled = new LinkedHashMap<>();

    /**
     * A probe enabled for a function.
     *
     * @param probe    the probe, in its binary
     * @param function the C function attached to its sites
     */
    public record Enabled(UsdtProbe probe, String function) {}

    private USDT(int pid, Path path, Map<Path, List<UsdtProbe>> probesByBinary) {
        this.pid = pid;
        this.path = path;
        this.probesByBinary = probesByBinary;
    }

    /**
     * The probes of a running process: those of its executable and of every library it has
     * mapped (bcc's {@code USDT(pid=...)}). Probes fire only in that process.
     *
     * @throws NotFoundException if there is no such process
     */
    public static USDT ofPid(int pid) {
        if (pid <= 0) throw new IllegalArgumentException("pid must be a process id, not " + pid);
        var binaries = new LinkedHashSet<Path>();
        for (ProcMaps.Mapping m : ProcMaps.read(pid)) {
            if (!m.isFile() || !m.isExecutable() || m.path().endsWith(" (deleted)")) continue;
            Path p = Path.of(m.path());
            // A process in another mount namespace sees its files under its own root.
            binaries.add(Files.exists(p) ? p : Path.of("/proc", Integer.toString(pid), "root").resolve(m.path().substring(1)));
        }
        var probes = new LinkedHashMap<Path, List<UsdtProbe>>();
        for (Path b : binaries) {
            List<UsdtProbe> found = Usdt.probes(b);
            if (!found.isEmpty()) probes.put(b, found);
        }
        return new USDT(pid, null, probes);
    }

    /**
     * The probes of a binary or library (bcc's {@code USDT(path=...)}); they fire in every process
     * that runs it.
     *
     * @throws NotFoundException if the file does not exist
     */
    public static USDT ofPath(Path path) {
        return new USDT(-1, path, Map.of(path, Usdt.probes(path)));
    }

    public static USDT ofPath(String path) {
        return ofPath(Path.of(path));
    }

    /** The probes of {@code path} as process {@code pid} runs it (bcc's {@code USDT(path=..., pid=...)}). */
    public static USDT of(Path path, int pid) {
        if (pid <= 0) throw new IllegalArgumentException("pid must be a process id, not " + pid);
        return new USDT(pid, path, Map.of(path, Usdt.probes(path)));
    }

    /** The process this context is for, or -1 for every process running {@link #path()}. */
    public int pid() {
        return pid;
    }

    /** The binary this context was made for, or empty when made from a pid alone. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** Every probe of the context's binaries (bcc's {@code enumerate_probes}), binary by binary. */
    public List<UsdtProbe> probes() {
        var all = new ArrayList<UsdtProbe>();
        for (List<UsdtProbe> l : probesByBinary.values()) all.addAll(l);
        return List.copyOf(all);
    }

    /**
     * Attaches C function {@code fnName} to every site of {@code probe} (bcc's
     * {@code enable_probe(probe=, fn_name=)}): {@code "provider:name"}, or just the name when one
     * provider has it.
     *
     * @return this context
     * @throws NotFoundException naming the probe, the binaries searched and similarly named probes
     * @throws IllegalArgumentException if the name is ambiguous or the function already has a probe
     */
    public synchronized USDT enableProbe(String probe, String fnName) {
        UsdtProbe p = find(probe);
        Enabled before = enabled.get(fnName);
        if (before != null && !before.probe().equals(p)) {
            throw new IllegalArgumentException("function " + fnName + " is already enabled for "
                    + before.probe().qualifiedName() + "; bpf_usdt_readarg reads one probe's arguments per function");
        }
        enabled.put(fnName, new Enabled(p, fnName));
        return this;
    }

    /**
     * {@link #enableProbe}, or, when the probe cannot be enabled, bcc's message on standard error
     * and exit status 1 (bcc's {@code enable_probe_or_bail}), for tools that cannot go on without it.
     */
    public USDT enableProbeOrBail(String probe, String fnName) {
        try {
            return enableProbe(probe, fnName);
        } catch (RuntimeException e) {
            System.err.println("Error attaching USDT probes: " + e.getMessage());
            System.err.println("The specified pid might not contain the given language's runtime, or the runtime was"
                    + " not built with the required USDT probes. Look for a configure flag like --with-dtrace or"
                    + " --enable-dtrace. To check which probes are present in the process, use the tplist tool.");
            System.err.flush();
            System.exit(1);
            throw e; // not reached
        }
    }

    /** The probes enabled so far, in the order they were enabled. */
    public synchronized List<Enabled> enabledProbes() {
        return List.copyOf(enabled.values());
    }

    /** What the compiler needs to generate each function's argument readers. */
    synchronized List<UsdtBinding> bindings() {
        return enabled.values().stream().map(e -> new UsdtBinding(e.function(), e.probe())).toList();
    }

    private UsdtProbe find(String probe) {
        int colon = probe.indexOf(':');
        String provider = colon >= 0 ? probe.substring(0, colon) : null;
        String name = colon >= 0 ? probe.substring(colon + 1) : probe;
        var matches = new ArrayList<UsdtProbe>();
        for (UsdtProbe p : probes()) {
            if (p.name().equals(name) && (provider == null || p.provider().equals(provider))) matches.add(p);
        }
        if (matches.size() == 1) return matches.getFirst();
        if (matches.size() > 1) {
            throw new IllegalArgumentException("USDT probe name '" + probe + "' is ambiguous in " + where() + ": "
                    + matches.stream().map(p -> p.qualifiedName() + " in " + p.binary()).toList()
                    + "; give it as provider:name");
        }
        throw new NotFoundException("no USDT probe '" + probe + "' in " + where() + nearby(name));
    }

    private String where() {
        String files = probesByBinary.isEmpty() ? "(no mapped file has USDT probes)" : String.join(", ",
                probesByBinary.keySet().stream().map(Path::toString).toList());
        if (path != null) return path + (pid > 0 ? " (process " + pid + ")" : "");
        return "process " + pid + " " + (probesByBinary.isEmpty() ? files : "(binaries with probes: " + files + ")");
    }

    /** Up to ten probe names like {@code name}: sharing a word of it, else the first few. */
    private String nearby(String name) {
        List<UsdtProbe> all = probes();
        if (all.isEmpty()) return "";
        var similar = new TreeSet<String>();
        String wanted = name.toLowerCase(Locale.ROOT);
        for (UsdtProbe p : all) {
            String have = p.name().toLowerCase(Locale.ROOT);
            for (String word : wanted.split("[_\\-]+")) {
                if (word.length() >= 3 && have.contains(word)) similar.add(p.qualifiedName());
            }
        }
        if (similar.isEmpty()) {
            for (UsdtProbe p : all) {
                similar.add(p.qualifiedName());
                if (similar.size() == 10) break;
            }
            return "; it has " + all.size() + " probes, e.g. " + String.join(", ", similar);
        }
        return "; similar probes: " + String.join(", ", similar.stream().limit(10).toList());
    }

    @Override
    public String toString() {
        return "USDT[" + (path != null ? path : "pid " + pid) + ", " + enabledProbes().size() + " enabled]";
    }
}
