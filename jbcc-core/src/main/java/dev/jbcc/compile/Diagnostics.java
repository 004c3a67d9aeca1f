package dev.jbcc.compile;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads clang's diagnostics: which lines are errors, and what the user should see first. */
final class Diagnostics {
    private Diagnostics() {}

    /** "file:line:col: error: text", "file:line: fatal error: text" or "clang-19: error: text". */
    private static final Pattern ERROR = Pattern.compile("^(.*?): (?:fatal )?error: .*$", Pattern.MULTILINE);
    private static final Pattern MISSING_BPF_HEADER =
            Pattern.compile("'(bpf/[\\w.]+\\.h)' file not found");
    private static final Pattern MISSING_VMLINUX = Pattern.compile("'vmlinux\\.h' file not found");
    private static final int SHOWN = 3;

    /** clang's own name for source read from standard input, which jbcc always uses. */

    /** Puts the user's name where clang says {@code <stdin>} (before any {@code #line} took effect). */
    static List<String> errors(String output) {
        var errors = new ArrayList<String>();
        Matcher m = ERROR.matcher(output);
        while (m.find()) errors.add(m.group());
        return errors;
    }

    /** The exception message: the first errors with their file:line, plus a fix when one is known. */
    static String summary(String output, int exitCode) {
        List<String> errors = errors(output);
        var sb = new StringBuilder();
        if (errors.isEmpty()) {
            String first = output.strip().lines().findFirst().orElse("(no output)");
            sb.append("clang failed (exit ").append(exitCode).append("): ").append(first);
        } else {
            sb.append(String.join("\n", errors.subList(0, Math.min(SHOWN, errors.size()))));
            if (errors.size() > SHOWN) sb.append("\n(").append(errors.size() - SHOWN).append(" more errors)");
        }
        Matcher bpf = MISSING_BPF_HEADER.matcher(output);
        if (bpf.find()) {
            sb.append("\n").append(bpf.group(1))
              .append(" is part of libbpf's BPF-side headers: install them with `apt-get install libbpf-dev`");
        } else if (MISSING_VMLINUX.matcher(output).find()) {
            sb.append("\nvmlinux.h is generated from the kernel's BTF when compiling with "
                    + "KernelHeaders.runningKernel(), the default (in the CLI: without --no-vmlinux)");
        }
        return sb.toString();
    }
}
