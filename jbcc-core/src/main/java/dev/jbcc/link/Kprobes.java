package dev.jbcc.link;

import dev.jbcc.errors.NotFoundException;
import dev.jbcc.symbols.KernelSymbols;
import dev.jbcc.trace.Tracefs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/** Kernel function names for kprobes: syscall entry points, and globs over traceable functions. */
public final class Kprobes {
    private Kprobes() {}

    /** Syscall entry point prefixes, most specific first (x86-64 wrappers since 4.17, then older spellings). */
    private static final List<String> SYSCALL_PREFIXES = List.of("__x64_sys_", "__se_sys_", "sys_");
    /** Prefixes that mark a function as a syscall's, for suggesting its tracepoint. */
    private static final List<String> ALL_SYSCALL_PREFIXES =
            List.of("__x64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_", "__ia32_compat_sys_", "ksys_", "sys_");

    /**
     * The kernel function that implements syscall {@code name} on this kernel (as bcc's
     * {@code get_syscall_fnname}): {@code clone} → {@code __x64_sys_clone} on x86-64 since 4.17,
     * else {@code sys_clone}.
     *
     * @throws NotFoundException if kallsyms has none of the spellings
     */
    public static String syscallFunction(String name) {
        if (name.startsWith("sys_") || name.startsWith("__")) {
            throw new IllegalArgumentException("give the bare syscall name ('clone'), not '" + name + "'");
        }
        KernelSymbols symbols = KernelSymbols.shared();
        for (String prefix : SYSCALL_PREFIXES) {
            if (symbols.address(prefix + name).isPresent()) return prefix + name;
        }
        throw new NotFoundException("no syscall '" + name + "' in /proc/kallsyms (looked for "
                + String.join(", ", SYSCALL_PREFIXES.stream().map(p -> p + name).toList()) + ")");
    }

    /** The syscall a kernel function implements ({@code __x64_sys_openat} → {@code openat}), or null. */
    static String syscallOf(String function) {
        for (String prefix : ALL_SYSCALL_PREFIXES) {
            if (function.startsWith(prefix) && function.length() > prefix.length()) return function.substring(prefix.length());
        }
        return null;
    }

    /**
     * The traceable kernel functions matching a glob ({@code *}, {@code ?}): from tracefs
     * {@code available_filter_functions} where readable, else the text symbols of /proc/kallsyms
     * (which may include functions the kernel refuses to probe).
     *
     * @throws NotFoundException if nothing matches
     */
    public static List<String> matching(String glob) {
        Pattern pattern = globToRegex(glob);
        var names = new LinkedHashSet<String>();
        Path tracefs = Tracefs.ifMounted().orElse(null);
        List<String> lines = null;
        if (tracefs != null) {
            try {
                lines = Files.readAllLines(tracefs.resolve("available_filter_functions"));
            } catch (FileSystemException e) {
                lines = null; // lockdown or permissions hide it; kallsyms still works
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (lines != null) {
            for (String line : lines) {
                int space = line.indexOf(' ');
                String name = space < 0 ? line : line.substring(0, space);
                if (pattern.matcher(name).matches()) names.add(name);
            }
        } else {
            try {
                for (String line : Files.readAllLines(KernelSymbols.KALLSYMS)) {
                    String[] f = line.split("\\s+");
                    if (f.length < 3 || (!f[1].equals("T") && !f[1].equals("t"))) continue;
                    if (pattern.matcher(f[2]).matches()) names.add(f[2]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + KernelSymbols.KALLSYMS, e);
            }
        }
        if (names.isEmpty()) throw new NotFoundException("no traceable kernel function matches '" + glob + "'");
        return new ArrayList<>(names);
    }

    static Pattern globToRegex(String glob) {
        var regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
