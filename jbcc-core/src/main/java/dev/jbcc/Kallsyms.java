package dev.jbcc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Kernel symbol addresses from /proc/kallsyms (real addresses need root or kptr_restrict 0). */
final class Kallsyms {
    private Kallsyms() {}

    /** The address of the kernel symbol {@code name}, or 0 when it is not listed. */
    static long address(String name) {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/kallsyms"))) {
            for (String line; (line = r.readLine()) != null; ) {
                // "ffffffff81000000 T _stext" optionally followed by "\t[module]"
                int s1 = line.indexOf(' '), s2 = line.indexOf(' ', s1 + 1);
                if (s2 < 0) continue;
                int end = line.indexOf('\t', s2 + 1);
                String sym = end < 0 ? line.substring(s2 + 1) : line.substring(s2 + 1, end);
                if (sym.equals(name)) return Long.parseUnsignedLong(line, 0, s1, 16);
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/kallsyms", e);
        }
    }
}
