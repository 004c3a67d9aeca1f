package dev.jbcc.symbols;

import dev.jbcc.errors.NotFoundException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Finds the file behind a library name, as the dynamic linker (or a running process) sees it. */
public final class Libraries {
    private Libraries() {}

    /**
     * Resolves a uprobe or symbolization target to a file.
     *
     * <ul>
     *   <li>a name containing {@code /} is a path and must exist;</li>
     *   <li>otherwise, with a pid, the library that process has mapped ({@code "c"} matches
     *       {@code libc.so.6} and {@code libc-2.31.so}), read through {@code /proc/PID/root} so
     *       that libraries in another mount namespace are found;</li>
     *   <li>then {@code /etc/ld.so.cache} ({@code "c"}, {@code "libc"}, {@code "libc.so.6"});</li>
     *   <li>then an executable of that name on {@code PATH}.</li>
     * </ul>
     *
     * @param pid the process whose view counts, or -1 for the system's
     * @throws NotFoundException naming every place searched
     */
    public static Path resolve(String target, int pid) {
        if (target.isEmpty()) throw new IllegalArgumentException("empty library or binary name");
        if (target.indexOf('/') >= 0) {
            Path path = Path.of(target);
            if (!Files.exists(path)) throw new NotFoundException(target + " does not exist");
            return path;
        }
        Set<String> searched = new LinkedHashSet<>();
        if (pid > 0) {
            Path mapped = fromMaps(target, pid);
            if (mapped != null) return mapped;
            searched.add("/proc/" + pid + "/maps");
        }
        LdSoCache cache = LdSoCache.system();
        var fromCache = cache.find(target);
        if (fromCache.isPresent()) return fromCache.get();
        searched.add(cache.origin() + " (" + cache.entries().size() + " entries, looked for "
                + LdSoCache.sonamePrefix(target) + "*)");
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(":")) {
                if (dir.isEmpty()) continue;
                Path candidate = Path.of(dir, target);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
            }
            searched.add("PATH");
        }
        throw new NotFoundException("no library or executable '" + target + "': searched " + String.join(", ", searched)
                + "; give the full path instead");
    }

    private static Path fromMaps(String target, int pid) {
        String soPrefix = LdSoCache.sonamePrefix(target);
        // Libraries installed without a soname link, e.g. libc-2.31.so.
        String dashPrefix = (target.startsWith("lib") ? target : "lib" + target) + "-";
        List<ProcMaps.Mapping> maps = ProcMaps.read(pid);
        for (ProcMaps.Mapping m : maps) {
            if (!m.isFile()) continue;
            String file = m.path().substring(m.path().lastIndexOf('/') + 1);
            if (file.equals(target) || file.startsWith(soPrefix) || (file.startsWith(dashPrefix) && file.contains(".so"))) {
                return fileOf(pid, m.path());
            }
        }
        return null;
    }

    /** A mapped file's path as this process can open it: the plain path when it is the same file. */
    static Path fileOf(int pid, String mappedPath) {
        Path plain = Path.of(mappedPath);
        Path inNamespace = Path.of("/proc", Integer.toString(pid), "root", mappedPath.substring(1));
        try {
            if (Files.exists(plain) && Files.isSameFile(plain, inNamespace)) return plain;
        } catch (IOException e) {
            return plain;
        }
        return Files.exists(inNamespace) ? inNamespace : plain;
    }
}
