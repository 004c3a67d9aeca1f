package dev.jbcc.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Syscall numbers and names of this machine's architecture (x86-64 or arm64), as the
 * {@code raw_syscalls} tracepoints and {@code pt_regs} give a number: what bcc's
 * {@code bcc.syscall} module is to its tools; and errno names, for options that take one.
 */
public final class Syscalls {
    private static final Map<Integer, String> NAMES = load(table());
    private static final Map<Integer, String> ERRNOS = load("errno.txt");

    private Syscalls() {
    }

    /** The name of syscall {@code nr}, or {@code [unknown: nr]} as bcc prints one it does not know. */
    public static String name(long nr) {
        String name = nr >= 0 && nr <= Integer.MAX_VALUE ? NAMES.get((int) nr) : null;
        return name != null ? name : "[unknown: " + nr + "]";
    }

    /** The number of the syscall named {@code name}. */
    public static OptionalInt number(String name) {
        for (var e : NAMES.entrySet()) if (e.getValue().equals(name)) return OptionalInt.of(e.getKey());
        return OptionalInt.empty();
    }

    /** Every syscall by number, in order. */
    public static Map<Integer, String> all() {
        return NAMES;
    }

    /**
     * An errno given as a number ({@code 13}, {@code -13}) or a name ({@code EACCES}), as bcc's
     * {@code -e ERRNO} options take it; its positive value.
     */
    public static OptionalInt errno(String nameOrNumber) {
        if (nameOrNumber.matches("-?[0-9]{1,4}")) return OptionalInt.of(Math.abs(Integer.parseInt(nameOrNumber)));
        for (var e : ERRNOS.entrySet()) if (e.getValue().equals(nameOrNumber)) return OptionalInt.of(e.getKey());
        return OptionalInt.empty();
    }

    private static String table() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return arch.equals("aarch64") || arch.equals("arm64") ? "syscalls-aarch64.txt" : "syscalls-x86_64.txt";
    }

    /** A resource of lines {@code NUMBER NAME} ({@code #} comments). */
    private static Map<Integer, String> load(String table) {
        Map<Integer, String> names = new TreeMap<>();
        try (InputStream in = Syscalls.class.getResourceAsStream(table)) {
            if (in == null) throw new IllegalStateException(table + " is missing beside " + Syscalls.class.getName());
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.trim().split(" ");
                names.putIfAbsent(Integer.parseInt(f[0]), f[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(names);
    }
}
