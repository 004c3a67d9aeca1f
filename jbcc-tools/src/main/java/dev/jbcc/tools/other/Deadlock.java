package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.Value;
import dev.jbcc.elf.ElfFile;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.symbols.ElfSymbols;
import dev.jbcc.symbols.ProcMaps;
import dev.jbcc.symbols.Libraries;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code jbcc deadlock}: lock order inversions in a running process. Uprobes on the lock and
 * unlock functions keep, per thread, the mutexes it holds; taking one while holding another adds
 * an edge to the lock-order graph, and a cycle in it is a deadlock waiting to happen. The tool
 * prints the first cycle it finds (each mutex, the threads and the stacks where they took them)
 * and ends.
 */
@Command(name = "deadlock", mixinStandardHelpOptions = true,
        description = {"Detect potential deadlocks (lock order inversions) in a running process."},
        footer = {"", "examples:",
                "    jbcc deadlock 181                    # PID 181's pthread mutexes",
                "    jbcc deadlock 181 --binary /lib/x86_64-linux-gnu/libc.so.6",
                "                                         # the lock functions of this library",
                "    jbcc deadlock 181 -v                 # and the graph's size every second",
                "    jbcc deadlock 181 -l my_lock -u my_unlock",
                "                                         # its own lock and unlock functions",
                "    jbcc deadlock 181 --dump-graph g.json  # the graph into g.json, as JSON"})
public final class Deadlock extends Tool {
    @Parameters(paramLabel = "PID", description = "The process to trace.")
    int pid;

    @Option(names = "--binary", paramLabel = "BINARY",
            description = "The file that holds the lock functions (default: the process's binary when it defines them, else its C library).")
    String binary;

    @Option(names = "--dump-graph", paramLabel = "FILE", description = "Write the lock-order graph to FILE as JSON, every second.")
    Path dumpGraph;

    @Option(names = {"-l", "--lock-symbols"}, paramLabel = "SYMBOLS", split = ",",
            description = "Comma-separated functions that take a lock, the lock's address as first argument (default pthread_mutex_lock).")
    List<String> lockSymbols = List.of("pthread_mutex_lock");

    @Option(names = {"-u", "--unlock-symbols"}, paramLabel = "SYMBOLS", split = ",",
            description = "Comma-separated functions that release a lock (default pthread_mutex_unlock).")
    List<String> unlockSymbols = List.of("pthread_mutex_unlock");

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "The most threads traced (default 65536).")
    int threads = 65536;

    @Option(names = {"-e", "--edges"}, paramLabel = "N", description = "The most edges of the graph kept (default 65536).")
    int edges = 65536;

    /** An edge of the graph: {@code thread} took {@code taken} while it held {@code held}. */
    private record Edge(long held, long taken, int thread, String comm, int heldStack, int takenStack, long heldCaller, long takenCaller) {
    }

    @Override
    protected void run(Session s) {
        if (pid <= 0) throw usage("PID must be positive, not " + pid);
        if (threads <= 0 || edges <= 0) throw usage("--threads and --edges must be positive");
        if (!Files.isDirectory(Path.of("/proc/" + pid))) throw usage("no process " + pid + " (is it running?)");
        try (BPF b = s.load(Deadlock.class, "deadlock.bpf.c",
                Map.of("TGID", pid, "MAX_THREADS", threads, "MAX_EDGES", edges))) {
            // unlocks first: a lock seen without its unlock would leave a false edge behind
            for (String sym : unlockSymbols) b.attachUprobe(library(sym), sym, "on_unlock", pid);
            for (String sym : lockSymbols) b.attachUprobe(library(sym), sym, "on_lock", pid);
            s.ready();
            s.note("Tracing... Hit Ctrl-C to end.");
            KeyedTable<?> edgeTable = b.get("edges");
            while (true) {
                boolean going = s.sleep(Duration.ofSeconds(1));
                Map<Long, Map<Long, Edge>> graph = graph(edgeTable);
                if (s.verbose()) s.out().println("Mutexes: " + nodes(graph).size() + ", Edges: " + count(graph));
                if (dumpGraph != null) dump(graph);
                List<Long> cycle = cycle(graph);
                if (!cycle.isEmpty()) {
                    report(s, b, graph, cycle);
                    return;
                }
                if (!going) return;
            }
        }
    }

    /** Where {@code sym} is: --binary, else the process's binary if it defines it, else its C library. */
    private String library(String sym) {
        if (binary != null) return binary;
        String exe = "/proc/" + pid + "/exe";
        try {
            BPF.getUserFunctions(exe, "^" + java.util.regex.Pattern.quote(sym) + "$", pid);
            return exe;
        } catch (NotFoundException notThere) {
            return Libraries.resolve("c", pid).toString();
        }
    }

    private static Map<Long, Map<Long, Edge>> graph(KeyedTable<?> table) {
        Map<Long, Map<Long, Edge>> graph = new TreeMap<>();
        for (var e : table.items()) {
            Value k = e.getKey(), v = (Value) e.getValue();
            long held = k.getLong("held"), taken = k.getLong("taken");
            graph.computeIfAbsent(held, x -> new TreeMap<>()).put(taken, new Edge(held, taken, (int) v.getLong("thread"),
                    v.getString("comm"), (int) v.getLong("held_stack"), (int) v.getLong("taken_stack"),
                    v.getLong("held_caller"), v.getLong("taken_caller")));
        }
        return graph;
    }

    private static Set<Long> nodes(Map<Long, Map<Long, Edge>> graph) {
        Set<Long> nodes = new LinkedHashSet<>(graph.keySet());
        graph.values().forEach(m -> nodes.addAll(m.keySet()));
        return nodes;
    }

    private static int count(Map<Long, Map<Long, Edge>> graph) {
        return graph.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * The mutexes of the first cycle a depth-first search meets, in edge order (empty: none): the
     * search's path from the mutex an edge leads back to.
     */
    static List<Long> cycle(Map<Long, Map<Long, Edge>> graph) {
        Map<Long, Integer> state = new HashMap<>(); // absent: unseen, 1: on the path, 2: done
        for (long start : graph.keySet()) {
            if (state.containsKey(start)) continue;
            List<Long> path = new ArrayList<>();
            List<java.util.Iterator<Long>> next = new ArrayList<>();
            path.add(start);
            next.add(graph.getOrDefault(start, Map.of()).keySet().iterator());
            state.put(start, 1);
            while (!path.isEmpty()) {
                var it = next.getLast();
                if (!it.hasNext()) {
                    state.put(path.removeLast(), 2);
                    next.removeLast();
                    continue;
                }
                long n = it.next();
                Integer st = state.get(n);
                if (st == null) {
                    state.put(n, 1);
                    path.add(n);
                    next.add(graph.getOrDefault(n, Map.of()).keySet().iterator());
                } else if (st == 1) {
                    return List.copyOf(path.subList(path.indexOf(n), path.size()));
                }
            }
        }
        return List.of();
    }

    private void report(Session s, BPF b, Map<Long, Map<Long, Edge>> graph, List<Long> cycle) {
        StackTrace stacks = b.get("stacks");
        Map<Long, String> names = new LinkedHashMap<>();
        for (int i = 0; i < cycle.size(); i++) names.put(cycle.get(i), name(i, cycle.get(i)));
        List<Edge> path = new ArrayList<>();
        for (int i = 0; i < cycle.size(); i++) path.add(graph.get(cycle.get(i)).get(cycle.get((i + 1) % cycle.size())));
        Set<Integer> threadIds = new LinkedHashSet<>();
        path.forEach(e -> threadIds.add(e.thread()));
        KeyedTable<?> creators = b.get("creators");
        if (s.json()) {
            List<Object> mutexes = new ArrayList<>(), edgeList = new ArrayList<>(), threadList = new ArrayList<>();
            for (long m : cycle) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("mutex", names.get(m));
                o.put("address", hex(m));
                mutexes.add(o);
            }
            for (Edge e : path) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("held", names.get(e.held()));
                o.put("taken", names.get(e.taken()));
                o.put("thread", e.thread());
                o.put("comm", e.comm());
                o.put("taken_stack", frames(stacks, e.takenStack(), e.takenCaller()));
                o.put("held_stack", frames(stacks, e.heldStack(), e.heldCaller()));
                edgeList.add(o);
            }
            for (int t : threadIds) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("thread", t);
                Value c = (Value) creators.get(t);
                o.put("parent", c == null ? null : c.getLong("parent"));
                o.put("parent_comm", c == null ? null : c.getString("comm"));
                o.put("stack", c == null ? List.of() : frames(stacks, (int) c.getLong("stack"), 0));
                threadList.add(o);
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("cycle", mutexes);
            o.put("edges", edgeList);
            o.put("threads", threadList);
            s.object(o);
            return;
        }
        var out = s.out();
        out.println("----------------\nPotential Deadlock Detected!\n");
        List<String> order = new ArrayList<>(names.values());
        order.add(order.getFirst());
        out.println("Cycle in lock order graph: " + String.join(" => ", order) + "\n");
        for (Edge e : path) {
            out.printf("%s acquired here while holding %s in Thread %d (%s):%n", names.get(e.taken()), names.get(e.held()), e.thread(), e.comm());
            frames(stacks, e.takenStack(), e.takenCaller()).forEach(out::println);
            out.println();
            out.printf("%s previously acquired by the same Thread %d (%s) here:%n", names.get(e.held()), e.thread(), e.comm());
            frames(stacks, e.heldStack(), e.heldCaller()).forEach(out::println);
            out.println();
        }
        for (int t : threadIds) {
            Value c = (Value) creators.get(t);
            if (c == null) {
                out.println("Could not find stack trace where Thread " + t + " was created");
            } else {
                out.printf("Thread %d created by Thread %d (%s) here:%n", t, c.getLong("parent"), c.getString("comm"));
                frames(stacks, (int) c.getLong("stack"), 0).forEach(out::println);
            }
            out.println();
        }
        out.flush();
    }

    /** {@code Mutex M0 (global_lock 0x…)}: a global or static mutex is named by its symbol. */
    private String name(int index, long address) {
        String symbol = dataSymbol(address);
        return "Mutex M" + index + " (" + (symbol == null ? "" : symbol + " ") + hex(address) + ")";
    }

    /**
     * The data symbol that starts at {@code address}, or null: looked up in the file mapped
     * closest below it (a .bss variable may lie in the anonymous mapping after its file's).
     */
    private String dataSymbol(long address) {
        try {
            ProcMaps.Mapping below = null;
            for (ProcMaps.Mapping m : ProcMaps.read(pid)) {
                if (m.isFile() && Long.compareUnsigned(m.start(), address) <= 0
                        && (below == null || Long.compareUnsigned(m.start(), below.start()) > 0)) below = m;
            }
            if (below == null) return null;
            Path file = Path.of("/proc/" + pid + "/root" + below.path());
            var mappedAt = ElfSymbols.load(file).virtualAddressOf(below.offset());
            if (mappedAt.isEmpty()) return null;
            long virtual = mappedAt.getAsLong() + (address - below.start());
            try (Arena arena = Arena.ofConfined()) {
                ElfFile elf = ElfFile.map(file, arena);
                for (var list : List.of(elf.symbols(), elf.dynamicSymbols())) {
                    for (var sym : list) {
                        if (sym.type() == dev.jbcc.elf.Symbol.Type.OBJECT && sym.value() == virtual) return sym.name();
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // a process gone or a file not ELF: the address alone names the mutex
        }
        return null;
    }

    private static String hex(long address) {
        return String.format(Locale.ROOT, "0x%016x", address);
    }

    /**
     * The frames of stack {@code id}, with {@code caller} (when not 0) put second: the walk at a
     * function's entry misses the frame of the function that called it.
     */
    private List<String> frames(StackTrace stacks, int id, long caller) {
        List<String> out = new ArrayList<>();
        if (id < 0) return out;
        List<Long> ips = new ArrayList<>(stacks.walk(id));
        if (caller != 0 && !ips.isEmpty() && (ips.size() < 2 || ips.get(1) != caller)) ips.add(1, caller);
        for (long ip : ips) out.add(String.format(Locale.ROOT, "@ %016x %s", ip, BPF.sym(ip, pid)));
        return out;
    }

    /** The graph as networkx's node-link JSON, as bcc writes it. */
    private void dump(Map<Long, Map<Long, Edge>> graph) {
        List<Long> nodes = new ArrayList<>(nodes(graph));
        Map<Long, Integer> number = new HashMap<>();
        List<Object> nodeList = new ArrayList<>(), links = new ArrayList<>();
        for (long n : nodes) {
            number.put(n, number.size());
            nodeList.add(Map.of("id", n));
        }
        for (var from : graph.values()) {
            for (Edge e : from.values()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("thread_pid", e.thread());
                l.put("thread_comm", e.comm());
                l.put("first_mutex_stack_id", e.heldStack());
                l.put("second_mutex_stack_id", e.takenStack());
                l.put("source", number.get(e.held()));
                l.put("target", number.get(e.taken()));
                links.add(l);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("directed", true);
        data.put("multigraph", false);
        data.put("graph", Map.of());
        data.put("links", links);
        data.put("nodes", nodeList);
        try {
            Files.writeString(dumpGraph, Session.json(data) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the graph to " + dumpGraph, e);
        }
    }
}
