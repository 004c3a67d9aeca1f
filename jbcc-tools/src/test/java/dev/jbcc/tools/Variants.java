package dev.jbcc.tools;

import dev.jbcc.Collection;
import dev.jbcc.bcc.dialect.BccCompiler;
import dev.jbcc.bcc.dialect.BccFunction;
import dev.jbcc.bcc.dialect.BccProgram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tool's C for a hook the running kernel may not have (kprobes on the host, fentry where loads
 * are refused): compiled as {@link Session#load} would, its sections listed, or loaded into the
 * kernel without being attached, so that its errors show on any machine, not only where the hook
 * is. The VM suite runs the tools themselves.
 */
public final class Variants {
    private static BccCompiler compiler;

    private Variants() {
    }

    /** Compiles {@code resource} beside {@code owner} with {@code hook}'s define and {@code defines}. */
    public static BccProgram compile(Class<?> owner, String resource, Hook hook, Map<String, ?> defines) {
        return compile(owner, resource, hook.define(), defines);
    }

    private static synchronized BccProgram compile(Class<?> owner, String resource, String define, Map<String, ?> defines) {
        if (compiler == null) compiler = BccCompiler.create();
        Map<String, Object> all = new LinkedHashMap<>(defines);
        all.put(define, null);
        List<String> cflags = new ArrayList<>();
        all.forEach((k, v) -> cflags.add(v == null ? "-D" + k : "-D" + k + "=" + v));
        return compiler.compile(resource, Session.text(owner, resource), cflags);
    }

    /** The ELF sections of the programs {@code resource} beside {@code owner} makes with {@code define} and {@code defines}. */
    public static List<String> sections(Class<?> owner, String resource, String define, Map<String, ?> defines) {
        return compile(owner, resource, define, defines).functions().stream().map(BccFunction::section).toList();
    }

    /** Loads every program and map of {@code program} (the verifier checks them), attaches nothing, and unloads. */
    public static void verify(BccProgram program) {
        try (Collection loaded = Collection.load(program.spec())) {
            if (loaded.programs().isEmpty()) throw new AssertionError("no programs in " + program);
        }
    }

    /** On a kernel without kprobes: {@code tool} ends with status 1 and one line naming what is missing. */
    public static void refusedWithoutKprobes(String tool, String... args) throws InterruptedException {
        ToolRun run = ToolRun.start(tool, args);
        assertEquals(1, run.await(Runs.READY), run.output());
        assertEquals("jbcc: what " + tool
                + " traces is not supported by this kernel: kprobe: kprobes are not in this kernel (CONFIG_KPROBES)", run.errors());
    }

    /**
     * On a kernel without kprobes nor fentry (the host): {@code tool}, whose hooks are kprobes
     * then fentry, ends with status 1 and one line naming what each misses.
     */
    public static void refusedWithoutKprobesOrFentry(String tool, String... args) throws InterruptedException {
        ToolRun run = ToolRun.start(tool, args);
        assertEquals(1, run.await(Runs.READY), run.output());
        String error = run.errors();
        assertTrue(error.startsWith("jbcc: what " + tool + " traces is not supported by this kernel: kprobe: kprobes are not in this kernel (CONFIG_KPROBES); ")
                && error.contains("fentry: ") && !error.contains("\n"), error);
    }
}
