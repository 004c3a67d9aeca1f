package dev.jbcc.tools.other;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code jbcc bpflist}: which processes hold BPF programs, maps and links, from their open file
 * descriptors ({@code anon_inode:bpf-prog}, {@code bpf-map}, {@code bpf-link}); no BPF of its own.
 */
@Command(name = "bpflist", mixinStandardHelpOptions = true,
        description = {"Display processes currently using BPF programs, maps and links."},
        footer = {"", "examples:",
                "    jbcc bpflist          # display all processes currently using BPF",
                "    jbcc bpflist -v       # also count kprobes/uprobes they created by name in tracefs",
                "    jbcc bpflist -vv      # and list those probe definitions",
                "    jbcc bpflist --json   # one JSON object per process and type"})
public final class Bpflist extends Tool {
    @Option(names = {"-v", "--verbosity"}, description = "Count kprobes/uprobes as well (-vv: list them).")
    boolean[] verbosity = new boolean[0];

    private static final Columns COLUMNS = Columns.of("%-6d %-16s %-8s %-4d", "PID", "COMM", "TYPE", "COUNT");

    @Override
    protected void run(Session s) throws IOException {
        Map<Long, Map<String, Integer>> counts = new TreeMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(proc.getFileName().toString());
                for (String kind : fdKinds(proc)) {
                    counts.computeIfAbsent(pid, _ -> new TreeMap<>()).merge(kind, 1, Integer::sum);
                }
            }
        }
        List<String> probes = verbosity.length > 0 ? probeDefinitions() : List.of();
        if (verbosity.length > 1 && !s.json()) {
            s.out().println("open kprobes and uprobes:");
            probes.forEach(s.out()::println);
            s.out().println();
        }
        for (String def : probes) {
            // bcc's naming (and jbcc's where it uses tracefs): the probe's name ends in _PID
            var m = java.util.regex.Pattern.compile("^([pr]):(\\w+)/\\S*_(\\d+)\\s").matcher(def + " ");
            if (!m.find()) continue;
            String kind = m.group(2).startsWith("uprobe") ? "uprobe" : "kprobe";
            counts.computeIfAbsent(Long.parseLong(m.group(3)), _ -> new TreeMap<>()).merge(kind, 1, Integer::sum);
        }
        s.header(COLUMNS);
        for (var p : counts.entrySet()) {
            String comm = comm(p.getKey());
            for (var k : p.getValue().entrySet()) s.row(COLUMNS, p.getKey(), comm, k.getKey(), k.getValue());
        }
    }

    /** "prog", "map" or "link" for each BPF file descriptor of the process (none if it is gone or hidden). */
    private static List<String> fdKinds(Path proc) {
        List<String> kinds = new ArrayList<>();
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    switch (target) {
                        case "anon_inode:bpf-prog" -> kinds.add("prog");
                        case "anon_inode:bpf-map" -> kinds.add("map");
                        case "anon_inode:bpf_link" -> kinds.add("link");
                        default -> { }
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException | SecurityException exitedOrDenied) {
            // the process ended, or its fds are not ours to see
        }
        return kinds;
    }

    private static List<String> probeDefinitions() throws IOException {
        List<String> out = new ArrayList<>();
        for (String file : List.of("kprobe_events", "uprobe_events")) {
            Path p = Path.of("/sys/kernel/tracing", file);
            if (Files.isReadable(p)) out.addAll(Files.readAllLines(p));
        }
        return out;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException gone) {
            return "?";
        }
    }
}
