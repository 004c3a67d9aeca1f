package dev.jbcc.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The names of a HotSpot JVM's Java frames: its JIT-compiled methods and its interpreter, from the
 * perf map the JVM writes on request ({@code jcmd PID Compiler.perfmap}, JDK 17 and later, to
 * {@code /tmp/perf-PID.map}: one {@code START SIZE name} line per code blob, hexadecimal). The map
 * is asked for once when the symbols are first needed, and again when an address is not in it
 * (at most every {@link #REFRESH_MILLIS} ms, as the JIT compiles and frees code); for JVMs jbcc was
 * not told to watch, only a map they already wrote is read. The map is the JVM's file and is left
 * in place. The class also knows how to tell a JVM from other processes
 * (it maps {@code libjvm.so}) and where its JDK and jcmd are, for the JVM tools.
 */
public final class JavaSymbols {
    /** The frame shown for code the interpreter runs (the perf map has only the interpreter's blob, not the method). */
    public static final String INTERPRETED = "[interpreted]";

    /** How long after asking for the perf map an address missing from it makes jbcc ask again. */
    static final long REFRESH_MILLIS = 5_000;

    /** A code blob of the perf map: its size in bytes and its name. */
    record Blob(long size, String name) {
    }

    private final int pid;
    /** How long jcmd may take (it starts a JVM: well under a second on hardware, a minute under emulation). */
    private static final long JCMD_SECONDS = 120;
    private final Path jcmd;
    private final boolean ask;
    private final Consumer<String> verbose;
    private TreeMap<Long, Blob> blobs = new TreeMap<>();
    private long askedAt = Long.MIN_VALUE;

    private JavaSymbols(int pid, Path jcmd, boolean ask, Consumer<String> verbose) {
        this.pid = pid;
        this.jcmd = jcmd;
        this.ask = ask;
        this.verbose = verbose;
    }

    /**
     * The Java symbols of process {@code pid}, if it is a HotSpot JVM: from the perf map jbcc asks
     * it for ({@code ask}), else only from one it wrote already. {@code verbose} hears how the map
     * was had (or why not).
     */
    public static Optional<JavaSymbols> of(int pid, boolean ask, Consumer<String> verbose) {
        return libjvm(pid).map(lib -> new JavaSymbols(pid, jcmd(javaHome(lib)), ask, verbose));
    }

    /**
     * The {@code libjvm.so} process {@code pid} maps, as this process can open it (under {@code
     * /proc/PID/root} when the JVM is in another mount namespace); empty if it maps none or is gone.
     */
    public static Optional<Path> libjvm(int pid) {
        String found;
        try (var lines = Files.lines(Path.of("/proc", Integer.toString(pid), "maps"))) {
            found = lines.map(l -> {
                int slash = l.indexOf('/');
                return slash < 0 ? null : l.substring(slash);
            }).filter(p -> p != null && p.endsWith("/libjvm.so")).findFirst().orElse(null);
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // gone, or not ours to read
        }
        if (found == null) return Optional.empty();
        Path path = Path.of(found);
        if (!Files.exists(path)) path = Path.of("/proc", Integer.toString(pid), "root", found.substring(1));
        return Optional.of(path);
    }

    /** The home of the JDK (or JRE) whose {@code libjvm} this is: the directory above {@code lib/} (or {@code lib/server/}). */
    public static Path javaHome(Path libjvm) {
        Path dir = libjvm.getParent();                      // lib/server
        if (dir != null && dir.getParent() != null && dir.getParent().getFileName().toString().equals("lib")) {
            return dir.getParent().getParent();
        }
        return dir == null ? libjvm : dir.getParent();
    }

    /** The jcmd to talk to a JVM of {@code javaHome} with: its own, else the one of the JDK jbcc runs on; null if neither has one. */
    public static Path jcmd(Path javaHome) {
        Path own = javaHome.resolve("bin/jcmd");
        if (Files.isExecutable(own)) return own;
        Path ours = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(ours) ? ours : null;
    }

    /**
     * The Java frame at {@code address}: the compiled method's name as the map gives it, without its
     * return type ({@code Spin.loop(int)}), {@link #INTERPRETED} for the interpreter, the stub's name
     * for other JVM code; empty if the address is in none of the JVM's code.
     */
    public Optional<String> resolve(long address) {
        if (askedAt == Long.MIN_VALUE) refresh();
        Optional<String> found = lookup(blobs, address);
        if (found.isEmpty() && System.currentTimeMillis() - askedAt >= REFRESH_MILLIS) {
            refresh();
            found = lookup(blobs, address);
        }
        return found;
    }

    /** The frame name of the blob holding {@code address}, if one does. */
    static Optional<String> lookup(TreeMap<Long, Blob> blobs, long address) {
        Map.Entry<Long, Blob> e = blobs.floorEntry(address);
        if (e == null || Long.compareUnsigned(address - e.getKey(), e.getValue().size()) >= 0) return Optional.empty();
        return Optional.of(frameName(e.getValue().name()));
    }

    /** Asks the JVM to write its perf map and reads it; keeps the last map read if that fails. */
    private void refresh() {
        askedAt = System.currentTimeMillis();
        Path map = Path.of("/tmp", "perf-" + pid + ".map");
        if (!ask) {
            // not a process the tool was told to watch: only a map it has is read
        } else if (jcmd == null) {
            verbose.accept("JVM " + pid + ": no jcmd in its JDK nor in jbcc's, so its Java frames are named only if " + map + " exists");
        } else {
            String failure = askForMap();
            if (failure != null) verbose.accept("JVM " + pid + ": " + jcmd + " " + pid + " Compiler.perfmap failed (" + failure + ")");
        }
        // a JVM in a container writes the map into its own /tmp, named by its pid there
        Path inside = Path.of("/proc", Integer.toString(pid), "root", "tmp", "perf-" + namespacePid() + ".map");
        Path read = Files.isReadable(inside) ? inside : map;
        try {
            blobs = parse(Files.readString(read, StandardCharsets.UTF_8));
            verbose.accept("JVM " + pid + ": read " + blobs.size() + " code blobs from " + read + " (the JVM's perf map; left in place)");
        } catch (IOException e) {
            verbose.accept("JVM " + pid + ": no perf map to read at " + read + " (" + e.getMessage() + "), so its Java frames stay [unknown]");
        }
    }

    /** The JVM's pid in its own pid namespace (the last of /proc/PID/status's NSpid), else its pid here. */
    private long namespacePid() {
        try (var lines = Files.lines(Path.of("/proc", Integer.toString(pid), "status"))) {
            return lines.filter(l -> l.startsWith("NSpid:")).map(l -> l.substring(l.lastIndexOf('\t') + 1).strip())
                    .mapToLong(Long::parseLong).findFirst().orElse(pid);
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            return pid;
        }
    }

    /** Runs {@code jcmd PID Compiler.perfmap}; null if it succeeded, else what went wrong. */
    private String askForMap() {
        if (pid == ProcessHandle.current().pid()) return "it is jbcc's own JVM, which does not attach to itself";
        Path log = null;
        try {
            // jcmd's output goes to a file, so that the bounded wait below bounds a jcmd that hangs too
            log = Files.createTempFile("jbcc-jcmd-", ".txt");
            Process p = new ProcessBuilder(jcmd.toString(), Integer.toString(pid), "Compiler.perfmap")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(JCMD_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "no answer in " + JCMD_SECONDS + " s";
            }
            String out = Files.readString(log, StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 && !out.contains("Exception") ? null : out.lines().reduce((a, b) -> b).orElse("status " + p.exitValue());
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temporary file left in /tmp
                }
            }
        }
    }

    /** The blobs of a perf map's text, by start address; lines that are not {@code START SIZE name} are skipped. */
    static TreeMap<Long, Blob> parse(String text) {
        TreeMap<Long, Blob> out = new TreeMap<>(Long::compareUnsigned);
        for (String line : text.split("\n")) {
            int a = line.indexOf(' ');
            int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
            if (b < 0) continue;
            try {
                long start = Long.parseUnsignedLong(strip0x(line.substring(0, a)), 16);
                long size = Long.parseUnsignedLong(strip0x(line.substring(a + 1, b)), 16);
                String name = line.substring(b + 1).strip();
                if (size > 0 && !name.isEmpty()) out.put(start, new Blob(size, name));
            } catch (NumberFormatException e) {
                // not a blob line
            }
        }
        return out;
    }

    private static String strip0x(String hex) {
        return hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    }

    /** A perf map name as a frame: the interpreter as {@link #INTERPRETED}, a method without its return type. */
    static String frameName(String name) {
        if (name.equals("Interpreter")) return INTERPRETED;
        int paren = name.indexOf('(');
        int space = name.indexOf(' ');
        return paren > 0 && space > 0 && space < paren && name.charAt(paren - 1) != ' ' ? name.substring(space + 1) : name;
    }
}
