package dev.jbcc.tools;

import dev.jbcc.bcc.dialect.BccCompiler;
import dev.jbcc.bcc.dialect.BccFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tool's C compiled, not loaded, for a hook this kernel may not let it attach (kprobes, fentry):
 * the host checks that every variant compiles against its BTF and which sections it makes; the VM
 * suite runs them.
 */
public final class Variants {
    private static final BccCompiler COMPILER = BccCompiler.create();

    private Variants() {
    }

    /** The ELF sections of the programs {@code resource} beside {@code owner} makes with {@code define} and {@code defines}. */
    public static List<String> sections(Class<?> owner, String resource, String define, Map<String, ?> defines) {
        List<String> cflags = new ArrayList<>();
        cflags.add("-D" + define);
        defines.forEach((k, v) -> cflags.add(v == null ? "-D" + k : "-D" + k + "=" + v));
        return COMPILER.compile(resource, Session.text(owner, resource), cflags).functions().stream()
                .map(BccFunction::section).toList();
    }

    /**
     * On a kernel without kprobes: {@code tool} ends with status 1 and one line naming what is
     * missing.
     */
    public static void refusedWithoutKprobes(String tool, String... args) throws InterruptedException {
        ToolRun run = ToolRun.start(tool, args);
        org.junit.jupiter.api.Assertions.assertEquals(1, run.await(Runs.READY), run.output());
        org.junit.jupiter.api.Assertions.assertEquals("jbcc: what " + tool
                + " traces is not supported by this kernel: kprobe: kprobes are not in this kernel (CONFIG_KPROBES)", run.errors());
    }
}
