package dev.jbcc.bcc;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.errors.VerifierException;
import dev.jbcc.bcc.dialect.BccCompiler;
import dev.jbcc.bcc.dialect.BccFunction;
import dev.jbcc.bcc.dialect.BccProgram;
import dev.jbcc.compile.Source;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.KernelFeature;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bcc's own tools, unchanged (issue 11): the C text each Python tool of Debian's bpfcc-tools hands
 * to {@code BPF(text=...)} with its default arguments goes through {@link BPF}: compile, load,
 * auto-attach, then every other function loaded as the tool's {@code load_func}/{@code attach_*}
 * would. The texts are bcc's (Apache-2.0): they are captured here at test time, by running each
 * tool with a stand-in {@code bcc} Python package (test resources, {@code bccprogs/}), into
 * {@code target/bcc-tools/}, never committed.
 *
 * <p>Prints a table (tool, stage, cause) and asserts floors that may only rise: how many pass, on
 * a kernel with kprobes and on one without (where a kprobe tool can only fail for that kernel
 * reason).
 */
@Tag("bcc-tools") // the VM suite runs it in a guest of its own (scripts/test)
@ExtendWith(FdLeakCheck.class)
class BccToolsTest {
    /** Tools whose program passes, with kprobes (the VM's 6.1) and without (the host). */
    private static final int FLOOR_WITH_KPROBES = 70; // the 6.1 VM run of 2026-12-08
    private static final int FLOOR_WITHOUT_KPROBES = 55;

    private static final Path TOOLS = Path.of("/usr/sbin");

    enum Stage { CAPTURE, COMPILE, LOAD, ATTACH, LOAD_FUNC, PASS }

    record Outcome(String tool, Stage stage, boolean kernelReason, String cause) {}

    @Test
    void bccToolsCompileLoadAndAttach() throws Exception {
        long started = System.nanoTime();
        Path out = Path.of("target", "bcc-tools").toAbsolutePath();
        // -Dbcctools.only=a,b: only these tools, from the last capture (for working on a cause).
        String only = System.getProperty("bcctools.only");
        if (only == null || !Files.isDirectory(out)) capture(out);
        long captured = System.nanoTime();
        BccCompiler compiler = BccCompiler.create();
        List<Outcome> outcomes = new ArrayList<>();
        List<String> tools;
        try (Stream<Path> logs = Files.list(out)) {
            tools = logs.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log"))
                    .map(n -> n.substring(0, n.length() - ".log".length()))
                    .filter(t -> only == null || List.of(only.split(",")).contains(t)).sorted().toList();
        }
        for (String tool : tools) outcomes.add(run(compiler, out, tool));
        long finished = System.nanoTime();

        boolean kprobes = KernelFeature.KPROBES.isAvailable();
        StringBuilder table = new StringBuilder(String.format("%-16s %-9s %s%n", "TOOL", "STAGE", "CAUSE"));
        for (Outcome o : outcomes) {
            table.append(String.format("%-16s %-9s %s%s%n", o.tool(), o.stage(), o.kernelReason() ? "[kernel] " : "", o.cause()));
        }
        long programs = outcomes.stream().filter(o -> o.stage() != Stage.CAPTURE).count();
        long passed = outcomes.stream().filter(o -> o.stage() == Stage.PASS).count();
        long kernel = outcomes.stream().filter(Outcome::kernelReason).count();
        table.append(String.format("%d tools, %d programs captured; %d pass, %d fail for a kernel reason (kprobes: %s); "
                        + "capture %.0f s, compile/load %.0f s%n", outcomes.size(), programs, passed, kernel, kprobes,
                (captured - started) / 1e9, (finished - captured) / 1e9));
        System.out.print(table);
        System.out.flush();
        assertTrue(programs > 0, "no tool's program was captured:\n" + table);
        int floor = kprobes ? FLOOR_WITH_KPROBES : FLOOR_WITHOUT_KPROBES;
        if (only != null) return;
        assertTrue(passed >= floor, passed + " tools pass, fewer than the floor " + floor + ":\n" + table);
    }

    /** Runs bcc's tools with the stand-in bcc package (capture.py); once per run of the test. */
    private static void capture(Path out) throws IOException, InterruptedException, URISyntaxException {
        Path here = Path.of(BccToolsTest.class.getResource("/bccprogs/capture.py").toURI()).getParent();
        assertTrue(Files.isDirectory(TOOLS) && hasBccTools(), "bcc's tools (" + TOOLS + "/*-bpfcc) are missing: run scripts/deps");
        if (Files.exists(out)) {
            try (Stream<Path> old = Files.walk(out)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        Process p = new ProcessBuilder("python3", here.resolve("capture.py").toString(), TOOLS.toString(), out.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "capture.py did not finish");
        assertEquals(0, p.exitValue(), "capture.py failed: " + output);
    }

    private static boolean hasBccTools() throws IOException {
        try (Stream<Path> s = Files.list(TOOLS)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith("-bpfcc"));
        }
    }

    private static Outcome run(BccCompiler compiler, Path out, String tool) throws IOException {
        Path dir = out.resolve(tool);
        if (!Files.isRegularFile(dir.resolve("text.c"))) {
            return new Outcome(tool, Stage.CAPTURE, false, "no program with default arguments: " + lastLine(Files.readString(out.resolve(tool + ".log"))));
        }
        String text = Files.readString(dir.resolve("text.c"));
        List<String> cflags = Files.readAllLines(dir.resolve("cflags")).stream().filter(s -> !s.isBlank()).toList();
        Map<String, ProgramType> loads = new LinkedHashMap<>();
        if (Files.exists(dir.resolve("funcs"))) {
            for (String line : Files.readAllLines(dir.resolve("funcs"))) {
                String[] f = line.split(" ");
                loads.putIfAbsent(f[0], ProgramType.of(Integer.parseInt(f[1])));
            }
        }
        BccProgram compiled;
        try {
            compiled = compiler.compile(Source.of(tool + ".c", text), cflags);
        } catch (CompileException e) {
            return new Outcome(tool, Stage.COMPILE, false, firstError(e.getMessage()));
        } catch (RuntimeException e) {
            return new Outcome(tool, Stage.COMPILE, false, oneLine(e.toString()));
        }
        try (BPF b = BPF.load(compiled)) {
            for (BccFunction f : compiled.functions()) {
                if (f.autoAttach() != null || !compiled.spec().programs().containsKey(f.name())) continue;
                try {
                    b.loadFunc(f.name(), loads.getOrDefault(f.name(), f.type()));
                } catch (RuntimeException e) {
                    return failure(tool, Stage.LOAD_FUNC, e);
                }
            }
            return new Outcome(tool, Stage.PASS, false, "");
        } catch (RuntimeException e) {
            return failure(tool, e instanceof VerifierException ? Stage.LOAD : Stage.ATTACH, e);
        }
    }

    /**
     * Kernel reasons: a feature or hook the kernel lacks, or (on a kernel that refuses them, like
     * the host's) an fentry/fexit/LSM program.
     */
    private static Outcome failure(String tool, Stage stage, RuntimeException e) {
        boolean kernel = e instanceof UnsupportedFeatureException || e instanceof NotFoundException
                || (e instanceof SyscallException s && s.errno() == Errno.EPERM && !KernelFeature.FENTRY.isAvailable()
                        && String.valueOf(e.getMessage()).contains("TRACING program"));
        return new Outcome(tool, stage, kernel, oneLine(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    private static String firstError(String message) {
        for (String line : message.split("\n")) if (line.contains("error:")) return oneLine(line);
        return oneLine(message);
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\r?\n");
        return oneLine(lines[lines.length - 1]);
    }

    private static String oneLine(String s) {
        String l = s.replace('\n', ' ').replace('\r', ' ').strip();
        return l.length() > 220 ? l.substring(0, 220) + "…" : l;
    }
}
