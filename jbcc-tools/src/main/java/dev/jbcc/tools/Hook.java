package dev.jbcc.tools;

import dev.jbcc.bcc.BPF;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.BpfException;
import dev.jbcc.features.Feature;
import dev.jbcc.features.Features;
import dev.jbcc.symbols.KernelSymbols;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One way for a tool to reach the kernel code it watches. A tool lists the hooks that carry the
 * facts it needs, best first, and {@link Session#choose} takes the first the running kernel has:
 * kprobe → fentry → a tracepoint, as libbpf-tools does. The tool's C compiles only the chosen
 * variant: {@link #define()} ({@code HOOK_KPROBE}, {@code HOOK_FENTRY}, {@code HOOK_TRACEPOINT},
 * {@code HOOK_RAW_TRACEPOINT}) is defined for it, and the programs of each variant attach
 * themselves by bcc's naming ({@code kprobe__fn}, {@code KFUNC_PROBE}, {@code TRACEPOINT_PROBE},
 * {@code RAW_TRACEPOINT_PROBE}).
 */
public sealed interface Hook {
    /** The preprocessor symbol defined for the tool's C when this hook is chosen. */
    String define();

    /** What it is, for {@code --verbose}: {@code kprobe vfs_read}. */
    String describe();

    /** Null if the running kernel has it, else why not (one phrase naming what is missing). */
    String missing();

    /** kprobes (or kretprobes) on these kernel functions. */
    record Kprobe(List<String> functions) implements Hook {
        public String define() {
            return "HOOK_KPROBE";
        }

        public String describe() {
            return "kprobe " + String.join(", ", functions);
        }

        public String missing() {
            if (!Features.haveKprobes()) return "kprobes are not in this kernel (" + Feature.KPROBES.buildOption() + ")";
            for (String f : functions) {
                if (!Kernel.traceable(f)) return "kernel function " + f + " cannot be probed here (not in available_filter_functions)";
            }
            return null;
        }
    }

    /** fentry/fexit on these kernel functions: BPF trampolines, with the functions in the kernel's BTF. */
    record Fentry(List<String> functions) implements Hook {
        public String define() {
            return "HOOK_FENTRY";
        }

        public String describe() {
            return "fentry " + String.join(", ", functions);
        }

        public String missing() {
            Features.Answer answer;
            try {
                answer = Features.trampolines();
            } catch (BpfException e) {
                return "fentry could not be probed: " + e.getMessage();
            }
            if (!answer.available()) {
                return "fentry is not available (" + (answer.reason() != null ? answer.reason()
                        : "needs " + Feature.BPF_TRAMPOLINE.minimumKernel() + "+ with " + Feature.BPF_TRAMPOLINE.buildOption()) + ")";
            }
            for (String f : functions) {
                if (Btf.kernel().lookupFirst(f, BtfType.Func.class).isEmpty()) return "kernel function " + f + " is not in the kernel's BTF";
            }
            return null;
        }
    }

    /** Tracepoints, each {@code category:event}. */
    record Tracepoint(List<String> events) implements Hook {
        public String define() {
            return "HOOK_TRACEPOINT";
        }

        public String describe() {
            return "tracepoint " + String.join(", ", events);
        }

        public String missing() {
            for (String e : events) {
                String[] parts = e.split(":", 2);
                if (!BPF.tracepointExists(parts[0], parts[1])) return "tracepoint " + e + " is not in this kernel";
            }
            return null;
        }
    }

    /** Raw tracepoints (or tp_btf) on these tracepoint names. */
    record RawTracepoint(List<String> names) implements Hook {
        public String define() {
            return "HOOK_RAW_TRACEPOINT";
        }

        public String describe() {
            return "raw tracepoint " + String.join(", ", names);
        }

        public String missing() {
            for (String n : names) {
                if (!Kernel.hasTracepoint(n)) return "tracepoint " + n + " is not in this kernel";
            }
            return null;
        }
    }

    static Hook kprobe(String... functions) {
        return new Kprobe(List.of(functions));
    }

    static Hook fentry(String... functions) {
        return new Fentry(List.of(functions));
    }

    /** Tracepoints named {@code category:event}. */
    static Hook tracepoint(String... events) {
        for (String e : events) {
            if (!e.contains(":")) throw new IllegalArgumentException("tracepoint " + e + " is not category:event");
        }
        return new Tracepoint(List.of(events));
    }

    static Hook rawTracepoint(String... names) {
        return new RawTracepoint(List.of(names));
    }

    /** What tools ask of the running kernel about its functions and tracepoints. */
    final class Kernel {
        private static volatile java.util.Set<String> traceable;

        private Kernel() {
        }

        /**
         * Whether kprobes may be put on {@code function}: it is in tracefs'
         * {@code available_filter_functions} (which leaves out notrace and inlined ones), or,
         * where that file cannot be read, in kallsyms as text.
         */
        static boolean traceable(String function) {
            java.util.Set<String> names = traceable;
            if (names == null) traceable = names = readTraceable();
            if (!names.isEmpty()) return names.contains(function);
            char type = KernelSymbols.shared().type(function);
            return type == 'T' || type == 't';
        }

        private static java.util.Set<String> readTraceable() {
            for (String dir : List.of("/sys/kernel/tracing", "/sys/kernel/debug/tracing")) {
                Path file = Path.of(dir, "available_filter_functions");
                try (var lines = Files.lines(file)) {
                    java.util.Set<String> names = new java.util.HashSet<>();
                    lines.forEach(l -> {
                        int end = l.indexOf(' ');
                        names.add(end < 0 ? l : l.substring(0, end));
                    });
                    return names;
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    // not mounted, or no ftrace: try the next, then kallsyms
                }
            }
            return java.util.Set.of();
        }

        /** Whether a tracepoint of this name exists in any category (what raw tracepoints take). */
        static boolean hasTracepoint(String name) {
            return !BPF.getTracepoints(".*:" + java.util.regex.Pattern.quote(name)).isEmpty();
        }
    }

    /** {@code HOOK_KPROBE} → {@code kprobe}: the hook's kind in lower case. */
    default String kind() {
        return define().substring("HOOK_".length()).toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
