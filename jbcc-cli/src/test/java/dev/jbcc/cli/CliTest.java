package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.KernelHeaders;
import dev.jbcc.compile.Source;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command tree run in-process, as {@code jbcc …} would run it. */
class CliTest {

    static final String TYPES = """
            typedef unsigned char __u8; typedef unsigned short __u16; typedef unsigned int __u32;
            typedef unsigned long long __u64; typedef int __s32; typedef long long __s64;
            typedef __u16 __be16; typedef __u32 __be32; typedef __u32 __wsum;
            """;

    @TempDir
    Path temp;

    /** Exit status, stdout and stderr of one run. */
    record Run(int status, String out, String err) {}

    static Run jbcc(String... args) {
        CommandLine cl = Main.commandLine();
        var out = new StringWriter();
        var err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void versionNamesJbccJavaAndKernel() {
        Run r = jbcc("version");
        assertEquals(0, r.status(), r.err());
        var lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("jbcc \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), lines.get(0));
        assertEquals("java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")", lines.get(1));
        assertTrue(lines.get(2).startsWith("linux " + System.getProperty("os.version")), lines.get(2));
        assertEquals("", r.err());
        assertEquals(r.out(), jbcc("--version").out());
    }

    @Test
    void toolsListsTheCollectionGroupedAndEachToolIsACommand() {
        Run r = jbcc("tools");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("process:\n  execsnoop        Trace new processes"), r.out());
        assertTrue(r.out().contains("block I/O:\n  biolatency       Summarize block device I/O latency"), r.out());
        for (var e : dev.jbcc.tools.Tools.all()) {
            Run help = jbcc(e.name(), "--help");
            assertEquals(0, help.status(), e.name() + ": " + help.err());
            assertTrue(help.out().startsWith("Usage: jbcc " + e.name()) && help.out().contains("examples:"), help.out());
        }
        Run bare = jbcc();
        assertTrue(bare.err().contains("Tools (jbcc TOOL --help for each):") && bare.err().contains("  execsnoop "), bare.err());
        Run bad = jbcc("biolatency", "-D", "-F");
        assertEquals(2, bad.status());
        assertEquals("jbcc: -D and -F cannot be used together (usage: jbcc biolatency --help)\n", bad.err());
    }

    @Test
    void noCommandIsAUsageError() {
        Run r = jbcc();
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Commands:") && r.err().contains("compile"), r.err());
        assertEquals(2, jbcc("no-such-command").status());
    }

    @Test
    void compileWritesABpfObject() throws IOException {
        Path src = temp.resolve("prog.c");
        Files.writeString(src, TYPES + """
                #include <bpf/bpf_helpers.h>
                #ifndef ANSWER
                #error ANSWER must be defined
                #endif
                SEC("xdp") int prog(void *ctx) { return ANSWER; }
                char LICENSE[] SEC("license") = "GPL";
                """);
        Path obj = temp.resolve("out/prog.o");
        Files.createDirectories(obj.getParent());
        Run r = jbcc("compile", src.toString(), "-o", obj.toString(), "-DANSWER=2", "--cflag=-Wall",
                "--no-vmlinux", "--cache-dir", temp.resolve("cache").toString(), "-v");
        assertEquals(0, r.status(), r.err());
        byte[] elf = Files.readAllBytes(obj);
        assertEquals(0x7f454c46, ByteBuffer.wrap(elf).order(ByteOrder.BIG_ENDIAN).getInt(0), "ELF magic");
        assertEquals(247, ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).getShort(18), "EM_BPF");
        assertTrue(r.err().contains("by ") && r.err().contains("clang version"), r.err());

        Run again = jbcc("compile", src.toString(), "-o", obj.toString(), "-DANSWER=2", "--cflag=-Wall",
                "--no-vmlinux", "--cache-dir", temp.resolve("cache").toString(), "-v");
        assertEquals(0, again.status(), again.err());
        assertTrue(again.err().contains("from the cache"), again.err());
    }

    @Test
    void compileErrorShowsClangsDiagnosticsAndFails() throws IOException {
        Path src = temp.resolve("bad.c");
        Files.writeString(src, "int f(void)\n{\n    return missing;\n}\n");
        Run r = jbcc("compile", src.toString(), "-o", temp.resolve("bad.o").toString(), "--no-vmlinux",
                "--cache-dir", temp.resolve("cache").toString());
        assertEquals(Main.EXIT_ERROR, r.status());
        assertTrue(r.err().startsWith(src + ":3:12: error: use of undeclared identifier 'missing'"), r.err());
        assertTrue(r.err().contains("1 error generated."), r.err());
        assertTrue(Files.notExists(temp.resolve("bad.o")));
    }

    @Test
    void compileWarningsGoToStandardError() throws IOException {
        Path src = temp.resolve("warn.c");
        Files.writeString(src, "int f(void)\n{\n    int unused;\n    return 0;\n}\n");
        Run r = jbcc("compile", src.toString(), "-o", temp.resolve("warn.o").toString(), "--cflag", "-Wall",
                "--no-vmlinux", "--cache-dir", temp.resolve("cache").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().startsWith(src + ":3:9: warning: unused variable 'unused'"), r.err());
        assertEquals("", r.out());
        assertTrue(Files.size(temp.resolve("warn.o")) > 0);
    }

    @Test
    void compileOfAMissingFileSaysSo() {
        Path src = temp.resolve("nowhere.c");
        Run r = jbcc("compile", src.toString(), "--no-vmlinux", "--cache-dir", temp.resolve("cache").toString());
        assertEquals(Main.EXIT_ERROR, r.status());
        assertEquals("jbcc: cannot read " + src + ": no such file\n", r.err());
    }

    @Test
    void btfDumpPrintsAVmlinuxHeaderThatCompilesWithCoReCode() throws IOException {
        Run r = jbcc("btf", "dump");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().contains("struct task_struct {"), "defines task_struct");
        Path dir = Files.createDirectories(temp.resolve("headers"));
        Files.writeString(dir.resolve("vmlinux.h"), r.out());

        var compiler = ClangCompiler.create(ClangCompiler.Options.defaults()
                .withCacheDirectory(temp.resolve("cache"))
                .withUseCache(false)
                .withKernelHeaders(KernelHeaders.directory(dir)));
        byte[] elf = compiler.compile(Source.of("task.c", """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                #include <bpf/bpf_core_read.h>

                SEC("tp/sched/sched_process_exec")
                int on_exec(void *ctx)
                {
                    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
                    bpf_printk("exec by %d", BPF_CORE_READ(task, real_parent, tgid));
                    return 0;
                }

                char LICENSE[] SEC("license") = "GPL";
                """), List.of()).elf();
        assertEquals(247, ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).getShort(18), "EM_BPF");
    }

    @Test
    void btfDumpOfARawFileMatchesTheRunningKernel() throws IOException {
        Path copy = temp.resolve("vmlinux.btf");
        Files.write(copy, Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux")));
        Run fromFile = jbcc("btf", "dump", "--file", copy.toString());
        assertEquals(0, fromFile.status(), fromFile.err());
        assertEquals(jbcc("btf", "dump").out(), fromFile.out());
    }

    @Test
    void btfDumpOfAMissingOrBrokenFileFails() throws IOException {
        Run missing = jbcc("btf", "dump", "--file", temp.resolve("absent.btf").toString());
        assertEquals(Main.EXIT_ERROR, missing.status());
        assertEquals("jbcc: BTF file " + temp.resolve("absent.btf") + " does not exist\n", missing.err());
        assertEquals("", missing.out());

        Path junk = Files.writeString(temp.resolve("junk.btf"), "this is not BTF");
        Run broken = jbcc("btf", "dump", "--file", junk.toString());
        assertEquals(Main.EXIT_ERROR, broken.status());
        assertTrue(broken.err().startsWith("jbcc: "), broken.err());
        assertEquals("", broken.out());
    }

    @Test
    void everyCommandTakesHelp() {
        for (String command : List.of("version", "btf", "btf dump", "compile", "gen", "gen skeleton", "run", "opensnoop", "cache", "cache clean", "cleanup")) {
            Run r = jbcc((command + " --help").split(" "));
            assertEquals(0, r.status(), command + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: jbcc " + command + " "), r.out());
            assertTrue(r.out().contains("-h, --help"), r.out());
            assertEquals("", r.err());
        }
        // opensnoop also runs as a command of its own (the launcher's quick path)
        var err = new StringWriter();
        var out = new StringWriter();
        CommandLine tool = Main.toolCommandLine("opensnoop");
        tool.setOut(new PrintWriter(out));
        tool.setErr(new PrintWriter(err));
        assertEquals(0, tool.execute("--help"), err.toString());
        assertTrue(out.toString().startsWith("Usage: jbcc opensnoop "), out.toString());
    }

    /** The list in {@code jbcc --help} shows each command's first description line: a whole sentence. */
    @Test
    void everyCommandsSummaryIsASentence() {
        Run r = jbcc("--help");
        assertEquals(0, r.status(), r.err());
        for (CommandLine sub : Main.commandLine().getSubcommands().values()) {
            String[] description = sub.getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0 && description[0].endsWith("."),
                    sub.getCommandName() + ": " + String.join(" / ", description));
        }
    }

    @Test
    void aUsageErrorIsOneLineWithStatusTwo() {
        Run r = jbcc("run", "-d", "-1", temp.resolve("p.c").toString());
        assertEquals(2, r.status());
        assertEquals("jbcc: -d SECS must be positive, not -1.0 (usage: jbcc run --help)\n", r.err());
        Run hex = jbcc("run", "--debug=0xZ", temp.resolve("p.c").toString());
        assertEquals(2, hex.status());
        assertEquals(1, hex.err().lines().count(), hex.err());
        assertTrue(hex.err().startsWith("jbcc: Invalid value for option '--debug'"), hex.err());
    }

    @Test
    void anErrorShowsItsStackTraceOnlyWhenAskedFor() {
        Path src = temp.resolve("nowhere.c");
        Run plain = jbcc("compile", src.toString(), "--no-vmlinux");
        assertEquals(Main.EXIT_ERROR, plain.status());
        assertEquals(1, plain.err().lines().count(), plain.err());
        Run verbose = jbcc("compile", "--verbose", src.toString(), "--no-vmlinux");
        assertEquals(Main.EXIT_ERROR, verbose.status());
        assertTrue(verbose.err().startsWith(plain.err()), verbose.err());
        assertTrue(verbose.err().lines().anyMatch(l -> l.startsWith("\tat dev.jbcc.")), verbose.err());
    }

    @Test
    void errorsAreDescribedWithoutStackTraces() {
        assertEquals("no such file: /x/y", dev.jbcc.tools.Errors.describe(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("/x/y"))));
        assertEquals("permission denied: /x", dev.jbcc.tools.Errors.describe(new java.nio.file.AccessDeniedException("/x")));
        String bug = dev.jbcc.tools.Errors.describe(new NullPointerException());
        assertTrue(bug.startsWith("NullPointerException (an error jbcc did not expect; JBCC_DEBUG=1"), bug);
    }

    @Test
    void cacheCleanEmptiesTheCache() throws IOException {
        Path src = Files.writeString(temp.resolve("prog.c"), TYPES + "int f(void) { return 1; }\n");
        Path cache = temp.resolve("cache");
        assertEquals(0, jbcc("compile", src.toString(), "-o", temp.resolve("prog.o").toString(), "--no-vmlinux",
                "--cache-dir", cache.toString()).status());
        Run clean = jbcc("cache", "clean", "--cache-dir", cache.toString());
        assertEquals(0, clean.status(), clean.err());
        assertTrue(clean.out().matches("removed \\d+\\.\\d MiB from " + java.util.regex.Pattern.quote(cache.toString()) + "\n"), clean.out());
        try (var left = Files.list(cache)) {
            assertEquals(List.of(), left.toList());
        }
        Run again = jbcc("compile", src.toString(), "-o", temp.resolve("prog.o").toString(), "--no-vmlinux",
                "--cache-dir", cache.toString(), "-v");
        assertTrue(again.err().contains("by ") && !again.err().contains("from the cache"), again.err());
    }

    @Test
    void objectNameFollowsCc() {
        assertEquals("prog.o", CompileCommand.objectName(Path.of("/x/y/prog.c")));
        assertEquals("prog.bpf.o", CompileCommand.objectName(Path.of("prog.bpf.c")));
        assertEquals("Makefile.o", CompileCommand.objectName(Path.of("Makefile")));
    }
}
