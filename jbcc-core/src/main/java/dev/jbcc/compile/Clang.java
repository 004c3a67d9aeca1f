package dev.jbcc.compile;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.compile.internal.CompileCache;
import dev.jbcc.compile.internal.ProcessRunner;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A clang installation able to emit BPF objects.
 *
 * @param executable the clang binary
 * @param version    the first line of {@code clang --version}, e.g. "Debian clang version 19.1.7"
 */
public record Clang(Path executable, String version) {

    /** The oldest clang whose BPF back end and CO-RE support jbcc relies on. */
    public static final int MINIMUM_MAJOR = 14;
    /** The clang jbcc is tested with, and the one the launcher installs. */
    public static final int PREFERRED_MAJOR = 19;

    private static final Pattern VERSION = Pattern.compile("clang version (\\d+)\\.");
    private static final Pattern VERSIONED_NAME = Pattern.compile("clang-(\\d+)");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    // `clang --version` costs tens of milliseconds; ask each binary once per JVM.
    private static final ConcurrentHashMap<Path, String> VERSIONS = new ConcurrentHashMap<>();

    public Clang {
        Objects.requireNonNull(executable, "executable");
        Objects.requireNonNull(version, "version");
    }

    /** The major version, or -1 if the version line does not say. */
    public int major() {
        Matcher m = VERSION.matcher(version);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * Finds clang on the PATH: {@code clang-19} first, then the newest {@code clang-N} with
     * N ≥ 14, then a plain {@code clang} that reports version 14 or later.
     *
     * @throws CompileException naming the package to install when none qualifies
     */
    public static Clang discover() {
        return discover(searchPath(), null);
    }

    /** Uses the given clang binary, checking its version. */
    public static Clang at(Path executable) {
        if (!Files.isExecutable(executable)) {
            throw new CompileException(executable + " is not an executable clang; install one with "
                    + "`apt-get install clang-" + PREFERRED_MAJOR + "`", "");
        }
        Clang clang = new Clang(executable, versionOf(executable, null));
        if (clang.major() < MINIMUM_MAJOR) {
            throw new CompileException(executable + " is too old (" + clang.version() + "); jbcc needs clang "
                    + MINIMUM_MAJOR + " or later: apt-get install clang-" + PREFERRED_MAJOR, "");
        }
        return clang;
    }

    /**
     * @param path     directories to search, in order
     * @param memoDir  where version lines are remembered across runs, or null
     */
    static Clang discover(List<Path> path, Path memoDir) {
        var tried = new LinkedHashSet<Path>();
        // The usual case, clang-19 on the PATH, needs no directory listing.
        for (Path dir : path) {
            Clang found = tryCandidate(dir.resolve("clang-" + PREFERRED_MAJOR), memoDir, tried);
            if (found != null) return found;
        }
        // Versioned names are ranked by name; `--version` then only identifies the winner.
        var versioned = new ArrayList<Path>();
        for (Path dir : path) {
            try (Stream<Path> entries = Files.list(dir)) {
                entries.filter(p -> nameMajor(p) >= MINIMUM_MAJOR).forEach(versioned::add);
            } catch (IOException e) {
                continue; // an unreadable or missing PATH entry is skipped, as a shell would
            }
        }
        versioned.sort(Comparator.comparingInt(Clang::nameMajor).reversed());
        for (Path candidate : versioned) {
            Clang found = tryCandidate(candidate, memoDir, tried);
            if (found != null) return found;
        }
        for (Path dir : path) {
            Clang found = tryCandidate(dir.resolve("clang"), memoDir, tried);
            if (found != null) return found;
        }
        throw new CompileException("no clang " + MINIMUM_MAJOR + " or later found on the PATH ("
                + (tried.isEmpty() ? "no clang at all" : "found only " + tried)
                + "); install one: apt-get install clang-" + PREFERRED_MAJOR, "");
    }

    /** The clang at {@code candidate} if it is executable and new enough, else null. */
    private static Clang tryCandidate(Path candidate, Path memoDir, LinkedHashSet<Path> tried) {
        if (!Files.isExecutable(candidate) || !tried.add(candidate)) return null;
        try {
            Clang clang = new Clang(candidate, versionOf(candidate, memoDir));
            return clang.major() >= MINIMUM_MAJOR ? clang : null;
        } catch (CompileException | FileAccessException e) {
            return null; // a broken binary (its --version fails) is passed over like an old one
        }
    }

    static List<Path> searchPath() {
        String env = System.getenv("PATH");
        if (env == null || env.isBlank()) env = "/usr/local/bin:/usr/bin:/bin";
        var dirs = new ArrayList<Path>();
        for (String entry : env.split(File.pathSeparator)) {
            if (!entry.isEmpty()) dirs.add(Path.of(entry));
        }
        return dirs;
    }

    private static int nameMajor(Path p) {
        Matcher m = VERSIONED_NAME.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * The first line of {@code --version}. With a memo directory the answer is kept on disk, keyed
     * by the binary's real path, size and modification time, so that an upgrade is noticed but a
     * cached compile needs no process at all.
     */
    private static String versionOf(Path executable, Path memoDir) {
        return VERSIONS.computeIfAbsent(executable.toAbsolutePath(), exe -> {
            String memoKey = null;
            if (memoDir != null) {
                memoKey = binaryIdentity(exe);
                String remembered = CompileCache.readSmallText(memoDir.resolve(memoKey));
                if (remembered != null) return remembered;
            }
            String line = runVersion(exe);
            if (memoKey != null) CompileCache.writeAtomically(memoDir.resolve(memoKey), line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return line;
        });
    }

    private static String binaryIdentity(Path exe) {
        try {
            Path real = exe.toRealPath();
            var attrs = Files.readAttributes(real, java.nio.file.attribute.BasicFileAttributes.class);
            return CompileCache.keyHex(real + "\0" + attrs.size() + "\0" + attrs.lastModifiedTime().toInstant());
        } catch (IOException e) {
            throw FileAccessException.of("inspect", exe, e);
        }
    }

    private static String runVersion(Path exe) {
        Path out = null;
        try {
            out = Files.createTempFile("jbcc-clang-version", ".txt");
            var result = ProcessRunner.run(List.of(exe.toString(), "--version"), Path.of("/"), null, out, VERSION_TIMEOUT);
            String first = result.output().lines().findFirst().orElse("").strip();
            if (result.exitCode() != 0 || first.isEmpty()) {
                throw new CompileException(exe + " --version failed (exit " + result.exitCode() + ")", result.output());
            }
            return first;
        } catch (IOException e) {
            throw FileAccessException.of("create a temporary file for " + exe + " --version in", Path.of(System.getProperty("java.io.tmpdir")), e);
        } finally {
            if (out != null) CompileCache.deleteQuietly(out);
        }
    }
}
