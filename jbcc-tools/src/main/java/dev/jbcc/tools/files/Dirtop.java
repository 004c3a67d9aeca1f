package dev.jbcc.tools.files;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Interval;
import dev.jbcc.tools.Intervals;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.ToLongFunction;

/** {@code jbcc dirtop}: file reads and writes per directory, busiest first, every interval. */
@Command(name = "dirtop", mixinStandardHelpOptions = true,
        description = {"Show file reads and writes summed per directory (and everything below it), busiest first, every interval."},
        footer = {"", "examples:",
                "    jbcc dirtop -d '/data/*/logs'          # I/O below each matching directory, every second",
                "    jbcc dirtop -d '/data/*/logs' -C       # don't clear the screen",
                "    jbcc dirtop -d '/data/*/logs' 5        # 5 second summaries",
                "    jbcc dirtop -d '/data/*/logs' 5 10     # 5 second summaries, 10 of them",
                "    jbcc dirtop -d /var/lib,/srv -s wbytes # two directories, sorted by bytes written",
                "    jbcc dirtop -d /srv --json 1 3         # one JSON object per row"})
public final class Dirtop extends Tool {
    static final Hook KPROBE = Hook.kprobe("vfs_read", "vfs_write");
    /** bcc's limit: the directories are compared in a loop the verifier must walk. */
    private static final int MAX_DIRECTORIES = 15;

    @Option(names = {"-C", "--noclear"}, description = "Don't clear the screen.")
    boolean noclear;

    @Option(names = {"-r", "--maxrows"}, paramLabel = "MAXROWS", description = "Maximum rows to print (default ${DEFAULT-VALUE}).")
    int maxrows = 20;

    @Option(names = {"-s", "--sort"}, paramLabel = "SORT", description = "Sort column: all, reads, writes, rbytes or wbytes (default ${DEFAULT-VALUE}).")
    String sort = "all";

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-d", "--root-directories"}, paramLabel = "ROOTDIRS", required = true,
            description = "The directories to watch, comma-separated; each may be a glob pattern (* ? [..] in any component).")
    String rootDirs;

    @Mixin
    Interval interval;

    @Override
    protected void run(Session s) {
        ToLongFunction<Value> by = ReadWriteTop.order(sort);
        if (by == null) throw usage("--sort must be one of " + ReadWriteTop.SORTS + ", not " + sort);
        if (maxrows <= 0) throw usage("--maxrows must be positive, not " + maxrows);
        long seconds = interval.every(1).toSeconds();
        Map<Long, String> paths = directories(s);
        Columns columns = Columns.of("%-6d %-6d %-8d %-8d %s", "READS", "WRITES", "R_Kb", "W_Kb", "PATH");

        Hook hook = s.choose(KPROBE, Hook.tracepoint("syscalls:sys_enter_read", "syscalls:sys_enter_pread64",
                "syscalls:sys_enter_write", "syscalls:sys_enter_pwrite64"));
        try (BPF b = s.load(Dirtop.class, "dirtop.bpf.c", hook, defines(pid == null ? -1 : pid, paths.keySet()))) {
            KeyedTable<Value> counts = b.get("counts");
            s.ready();
            s.note("Tracing... Output every " + seconds + " secs. Hit Ctrl-C to end");
            Intervals.every(s, interval.period(1), () -> {
                List<Map.Entry<Value, Value>> rows = ReadWriteTop.busiest(counts, by, maxrows);
                ReadWriteTop.heading(s, noclear, columns);
                for (var e : rows) {
                    Value v = e.getValue();
                    s.row(columns, v.getLong("reads"), v.getLong("writes"), v.getLong("rbytes") / 1024, v.getLong("wbytes") / 1024,
                            paths.getOrDefault(e.getKey().value(), "?"));
                }
            });
            if (!s.json()) s.out().println("Detaching...");
        }
    }

    /** The C's defines: the PID filter and the directories' inode numbers. */
    static Map<String, Object> defines(int pid, Collection<Long> inodes) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_PID", pid);
        StringJoiner array = new StringJoiner(",", "{", "}");
        inodes.forEach(i -> array.add(i + "ULL"));
        defines.put("DIR_INODES", array.toString());
        defines.put("DIR_COUNT", inodes.size());
        return defines;
    }

    /** The directories -d names (globs expanded), by inode number, each said on standard error as bcc does. */
    private Map<Long, String> directories(Session s) {
        Map<Long, String> paths = new LinkedHashMap<>();
        int considered = 0;
        for (String pattern : rootDirs.split(",")) {
            if (pattern.isBlank()) continue;
            for (Path dir : expand(pattern.strip())) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) continue;
                if (++considered > MAX_DIRECTORIES) {
                    s.note(MAX_DIRECTORIES + " directories limit reached");
                    break;
                }
                long inode;
                try {
                    inode = ((Number) Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
                } catch (IOException e) {
                    throw FileAccessException.of("read the inode number of", dir, e);
                }
                if (paths.containsKey(inode)) {
                    s.note("Skipping " + dir + " as already considered");
                    continue;
                }
                paths.put(inode, dir.toString());
                s.note("Considering " + dir + " with inode_id " + inode);
            }
        }
        if (paths.isEmpty()) throw new NotFoundException("no directory matches " + rootDirs + " (give existing directories to -d)");
        return paths;
    }

    /** The existing paths {@code pattern} matches, a glob's wildcards allowed in any component, in order. */
    static List<Path> expand(String pattern) {
        Path p = Path.of(pattern);
        List<Path> found = new ArrayList<>();
        found.add(p.getRoot() != null ? p.getRoot() : Path.of(""));
        for (Path part : p) {
            String name = part.toString();
            List<Path> next = new ArrayList<>();
            for (Path base : found) {
                if (!name.matches(".*[*?\\[].*")) {
                    next.add(base.resolve(name));
                    continue;
                }
                Path listed = base.toString().isEmpty() ? Path.of(".") : base;
                try (DirectoryStream<Path> children = Files.newDirectoryStream(listed, name)) {
                    List<Path> matched = new ArrayList<>();
                    children.forEach(c -> matched.add(base.resolve(c.getFileName())));
                    matched.sort(Comparator.naturalOrder());
                    next.addAll(matched);
                } catch (IOException e) {
                    // not a directory, or not readable: no match below it
                }
            }
            found = next;
        }
        return found.stream().filter(f -> !f.toString().isEmpty() && Files.exists(f, LinkOption.NOFOLLOW_LINKS)).toList();
    }
}
