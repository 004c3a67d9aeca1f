package dev.jbcc.tools;

import dev.jbcc.Collection;
import dev.jbcc.bcc.dialect.BccCompiler;
import dev.jbcc.bcc.dialect.BccProgram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tool's C for a hook the running kernel may not have (kprobes on the host, fentry where loads
 * are refused): compiled as {@link Session#load} would, and loaded into the kernel without being
 * attached, so that its errors show on any machine, not only where the hook is.
 */
public final class Variants {
    private static BccCompiler compiler;

    private Variants() {
    }

    /** Compiles {@code resource} beside {@code owner} with {@code hook}'s define and {@code defines}. */
    public static synchronized BccProgram compile(Class<?> owner, String resource, Hook hook, Map<String, ?> defines) {
        if (compiler == null) compiler = BccCompiler.create();
        Map<String, Object> all = new LinkedHashMap<>(defines);
        all.put(hook.define(), null);
        List<String> cflags = new ArrayList<>();
        all.forEach((k, v) -> cflags.add(v == null ? "-D" + k : "-D" + k + "=" + v));
        return compiler.compile(resource, Session.text(owner, resource), cflags);
    }

    /** Loads every program and map of {@code program} (the verifier checks them), attaches nothing, and unloads. */
    public static void verify(BccProgram program) {
        try (Collection loaded = Collection.load(program.spec())) {
            if (loaded.programs().isEmpty()) throw new AssertionError("no programs in " + program);
        }
    }
}
