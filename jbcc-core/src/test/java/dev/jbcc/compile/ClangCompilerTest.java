package dev.jbcc.compile;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.compile.internal.CompileCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClangCompilerTest {

    /** The kernel types bpf_helper_defs.h uses, for programs compiled without vmlinux.h. */
    static final String TYPES = """
            typedef unsigned char __u8; typedef unsigned short __u16; typedef unsigned int __u32;
            typedef unsigned long long __u64; typedef int __s32; typedef long long __s64;
            typedef __u16 __be16; typedef __u32 __be32; typedef __u32 __wsum;
            """;

    static final String XDP_PASS = TYPES + """
            #include <bpf/bpf_helpers.h>

            SEC("xdp")
            int pass(void *ctx)
            {
                return 2; /* XDP_PASS */
            }

            char LICENSE[] SEC("license") = "GPL";
            """;

    static final int EM_BPF = 247;

    @TempDir
    Path temp;

    private ClangCompiler compiler() {
        return compiler(temp.resolve("cache"));
    }

    private static ClangCompiler compiler(Path cache) {
        return ClangCompiler.create(ClangCompiler.Options.defaults()
                .withCacheDirectory(cache)
                .withKernelHeaders(KernelHeaders.none()));
    }

    /** e_machine of a 64-bit little-endian ELF file, after checking the identification bytes. */
    private static int elfMachine(byte[] elf) {
        assertTrue(elf.length > 64, "shorter than an ELF header: " + elf.length);
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(elf, 4), "ELF magic");
        assertEquals(2, elf[4], "ELFCLASS64");
        assertEquals(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 1 : 2, elf[5], "host byte order");
        return Short.toUnsignedInt(ByteBuffer.wrap(elf).order(ByteOrder.nativeOrder()).getShort(18));
    }

    @Test
    void compilesAValidProgramToABpfObject() {
        ClangCompiler cc = compiler();
        assertTrue(cc.clang().major() >= Clang.MINIMUM_MAJOR, cc.clang().version());
        CompiledObject obj = cc.compile(XDP_PASS);
        assertEquals(EM_BPF, elfMachine(obj.elf()));
        assertFalse(obj.cached());
        assertEquals(Source.ANONYMOUS, obj.sourceName());
        assertTrue(new String(obj.elf(), StandardCharsets.ISO_8859_1).contains("xdp"), "has the xdp section");
    }

    @Test
    void syntaxErrorNamesTheUsersFileAndLine() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("src"));
        Path file = dir.resolve("broken.c");
        Files.writeString(file, """
                int f(void)
                {
                    int x = 1
                    return x;
                }
                """);
        var e = assertThrows(CompileException.class, () -> compiler().compile(file, List.of()));
        // The missing ';' is reported at the end of line 3.
        assertTrue(e.getMessage().startsWith(file + ":3:"), e.getMessage());
        assertTrue(e.getMessage().contains("error: expected ';'"), e.getMessage());
        assertFalse(e.getMessage().contains("<stdin>"), e.getMessage());
        assertFalse(e.getMessage().contains("input.c"), e.getMessage());
        assertTrue(e.diagnostics().contains("1 error generated"), e.diagnostics());
    }

    @Test
    void anonymousSourceIsCalledSource() {
        var e = assertThrows(CompileException.class, () -> compiler().compile("int f(void) { return y; }\n"));
        assertTrue(e.getMessage().startsWith("<source>:1:22: error: use of undeclared identifier 'y'"), e.getMessage());
    }

    @Test
    void lineDirectivesInTheSourceAreHonoured() {
        // What the bcc front-end will do: rewritten source that points back at the original.
        String rewritten = """
                int generated_prologue;
                #line 40 "tool.c"
                int f(void)
                {
                    return undefined_thing;
                }
                """;
        var e = assertThrows(CompileException.class, () -> compiler().compile(rewritten));
        assertTrue(e.getMessage().startsWith("tool.c:42:12: error: use of undeclared identifier 'undefined_thing'"),
                e.getMessage());
    }

    @Test
    void reportsOnlyTheFirstErrorsInTheMessage() {
        var sb = new StringBuilder();
        for (int i = 1; i <= 5; i++) sb.append("int f").append(i).append("(void) { return u").append(i).append("; }\n");
        var e = assertThrows(CompileException.class, () -> compiler().compile(sb.toString()));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(4, lines.size(), e.getMessage());
        for (int i = 1; i <= 3; i++) assertTrue(lines.get(i - 1).startsWith("<source>:" + i + ":"), lines.get(i - 1));
        assertEquals("(2 more errors)", lines.get(3));
        assertEquals(5, Diagnostics.errors(e.diagnostics()).size(), e.diagnostics());
    }

    @Test
    void errorInAnIncludedHeaderIsReportedThere() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("inc"));
        Files.writeString(dir.resolve("helper.h"), "static int helper(void) { return nope; }\n");
        Path file = dir.resolve("main.c");
        Files.writeString(file, "#include \"helper.h\"\nint f(void) { return helper(); }\n");
        var e = assertThrows(CompileException.class, () -> compiler().compile(file, List.of()));
        assertTrue(e.getMessage().startsWith(dir.resolve("helper.h") + ":1:34: error:"), e.getMessage());
        assertTrue(e.diagnostics().contains("In file included from " + file + ":1:"), e.diagnostics());
    }

    @Test
    void missingLibbpfHeaderSaysWhatToInstall() {
        var e = assertThrows(CompileException.class,
                () -> compiler().compile("#include <bpf/bpf_no_such_header.h>\n"));
        assertTrue(e.getMessage().startsWith("<source>:1:10: fatal error: 'bpf/bpf_no_such_header.h' file not found"),
                e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install libbpf-dev"), e.getMessage());
    }

    @Test
    void missingVmlinuxHeaderSaysWhereItComesFrom() {
        var e = assertThrows(CompileException.class, () -> compiler().compile("#include \"vmlinux.h\"\n"));
        assertTrue(e.getMessage().startsWith("<source>:1:10: fatal error: 'vmlinux.h' file not found"), e.getMessage());
        assertTrue(e.getMessage().contains("KernelHeaders.runningKernel()"), e.getMessage());
    }

    @Test
    void warningsAreKeptWithTheObjectAndReplayedFromTheCache() {
        ClangCompiler cc = compiler();
        String source = "int f(void) { int unused; return 0; }\n";
        CompiledObject built = cc.compile(Source.of(source), List.of("-Wall"));
        assertTrue(built.warnings().contains("<source>:1:19: warning: unused variable 'unused'"), built.warnings());
        CompiledObject cached = cc.compile(Source.of(source), List.of("-Wall"));
        assertTrue(cached.cached());
        assertEquals(built.warnings(), cached.warnings());
    }

    @Test
    void unknownFlagIsReportedAsTheDriverSaysIt() {
        var e = assertThrows(CompileException.class,
                () -> compiler().compile(Source.of("int x;"), List.of("--no-such-flag")));
        assertTrue(e.getMessage().contains("error: unknown argument: '--no-such-flag'"), e.getMessage());
    }

    @Test
    void secondCompileIsACacheHitWithoutRunningClang() throws IOException {
        Path cache = temp.resolve("cache");
        ClangCompiler first = compiler(cache);
        CompiledObject built = first.compile(XDP_PASS);
        assertEquals(1, first.clangRuns());
        Path entry = onlyEntry(cache);
        Object written = Files.readAttributes(entry, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        CompiledObject again = first.compile(XDP_PASS);
        assertEquals(1, first.clangRuns(), "no second clang run");
        assertTrue(again.cached());
        assertArrayEquals(built.elf(), again.elf());

        // A fresh compiler (a new JVM would look the same) finds it too.
        ClangCompiler second = compiler(cache);
        assertTrue(second.compile(XDP_PASS).cached());
        assertEquals(0, second.clangRuns());
        assertEquals(written, Files.readAttributes(entry, java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
                "entry not rewritten");
    }

    @Test
    void differentFlagsOrSourceMiss() {
        ClangCompiler cc = compiler();
        cc.compile(Source.of(XDP_PASS), List.of());
        CompiledObject withFlag = cc.compile(Source.of(XDP_PASS), List.of("-DEXTRA=1"));
        assertFalse(withFlag.cached());
        assertEquals(2, cc.clangRuns());
        assertFalse(cc.compile(Source.of(XDP_PASS + "\n")).cached());
        assertFalse(cc.compile(Source.of("other.c", XDP_PASS), List.of()).cached(), "the name is in the debug info");
        assertEquals(4, cc.clangRuns());
        assertTrue(cc.compile(Source.of(XDP_PASS), List.of("-DEXTRA=1")).cached());
        assertEquals(4, cc.clangRuns());
    }

    @Test
    void changedHeaderMissesButTouchedHeaderHits() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("proj"));
        Path header = dir.resolve("value.h");
        Files.writeString(header, "#define VALUE 1\n");
        Path file = dir.resolve("prog.c");
        Files.writeString(file, "#include \"value.h\"\nint value(void) { return VALUE; }\n");
        ClangCompiler cc = compiler();
        byte[] one = cc.compile(file, List.of()).elf();

        Files.setLastModifiedTime(header, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertTrue(cc.compile(file, List.of()).cached(), "same content, new mtime: still a hit");
        assertEquals(1, cc.clangRuns());

        Files.writeString(header, "#define VALUE 2\n");
        CompiledObject changed = cc.compile(file, List.of());
        assertFalse(changed.cached());
        assertEquals(2, cc.clangRuns());
        assertFalse(java.util.Arrays.equals(one, changed.elf()), "the object encodes the new value");
    }

    @Test
    void corruptEntryIsRecompiledAndReplaced() throws IOException {
        Path cache = temp.resolve("cache");
        ClangCompiler cc = compiler(cache);
        byte[] good = cc.compile(XDP_PASS).elf();
        Path entry = onlyEntry(cache);
        Files.write(entry, new byte[] {'J', 'B', 'C'});
        CompiledObject again = cc.compile(XDP_PASS);
        assertFalse(again.cached());
        assertArrayEquals(good, again.elf());
        assertTrue(Files.size(entry) > good.length, "entry rewritten");
    }

    @Test
    void cacheDirectoryIsPrivate() throws IOException {
        Path cache = temp.resolve("fresh");
        compiler(cache).compile(XDP_PASS);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        try (var walk = Files.walk(cache)) {
            for (Path p : walk.filter(Files::isDirectory).toList()) {
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
            }
        }
    }

    @Test
    void looseCacheDirectoryIsTightened() throws IOException {
        Path cache = Files.createDirectory(temp.resolve("loose"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        compiler(cache);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
    }

    @Test
    void cacheDirectoryOfAnotherUserIsRefused() throws IOException {
        Path cache = Files.createDirectory(temp.resolve("foreign"));
        int me = CompileCache.currentUid();
        int other = me == 0 ? 65534 : 0; // nobody, when we are root (the test machine's case)
        Files.setAttribute(cache, "unix:uid", other);
        try {
            var e = assertThrows(FileAccessException.class, () -> compiler(cache));
            assertTrue(e.getMessage().contains("belongs to uid " + other), e.getMessage());
            assertTrue(e.getMessage().contains("XDG_CACHE_HOME"), e.getMessage());
        } finally {
            Files.setAttribute(cache, "unix:uid", me); // so @TempDir can clean up as any user
        }
    }

    @Test
    void filesJbccCannotUseAreFileAccessExceptionsNamingThem() throws IOException {
        Path missing = temp.resolve("missing.c");
        var e = assertThrows(FileAccessException.class, () -> Source.read(missing));
        assertEquals(missing, e.file());
        assertEquals("cannot read " + missing + ": no such file", e.getMessage());
        assertInstanceOf(java.nio.file.NoSuchFileException.class, e.getCause());

        Path file = Files.writeString(temp.resolve("cache-is-a-file"), "not a directory");
        var c = assertThrows(FileAccessException.class, () -> compiler(file));
        assertEquals(file, c.file());
        assertEquals("cannot set up the cache directory " + file + ": " + file + " exists and is not a directory;"
                + " remove it or point XDG_CACHE_HOME elsewhere", c.getMessage());
    }

    @Test
    void missingCompilerSaysWhatToInstall() throws IOException {
        Path emptyBin = Files.createDirectory(temp.resolve("bin"));
        var e = assertThrows(CompileException.class, () -> Clang.discover(List.of(emptyBin), null));
        assertTrue(e.getMessage().contains("apt-get install clang-19"), e.getMessage());
    }

    @Test
    void discoveryPrefersClang19AndRejectsOldClang() throws IOException {
        Path bin = Files.createDirectory(temp.resolve("bin"));
        Path old = fakeClang(bin.resolve("clang"), "Ubuntu clang version 12.0.1", 0);
        var e = assertThrows(CompileException.class, () -> Clang.discover(List.of(bin), null));
        assertTrue(e.getMessage().contains(old.toString()), e.getMessage());

        Path newer = fakeClang(bin.resolve("clang-15"), "clang version 15.0.7", 0);
        assertEquals(newer, Clang.discover(List.of(bin), null).executable());

        Path real = Clang.discover().executable();
        Path preferred = bin.resolve("clang-19");
        Files.writeString(preferred, "#!/bin/sh\nexec '" + real + "' \"$@\"\n");
        Files.setPosixFilePermissions(preferred, PosixFilePermissions.fromString("rwxr-xr-x"));
        Clang found = Clang.discover(List.of(bin), null);
        assertEquals(preferred, found.executable());
        assertEquals(19, found.major());
    }

    @Test
    void versionIsRememberedOnDisk() throws IOException {
        Path bin = Files.createDirectory(temp.resolve("bin"));
        Path memo = Files.createDirectory(temp.resolve("memo"));
        fakeClang(bin.resolve("clang-16"), "clang version 16.0.6", 0);
        assertEquals("clang version 16.0.6", Clang.discover(List.of(bin), memo).version());
        try (var files = Files.list(memo)) {
            assertEquals(List.of("clang version 16.0.6"), files.map(p -> readString(p)).toList());
        }
    }

    @Test
    void hungCompilerIsKilledAfterTheTimeout() throws IOException {
        Path fake = fakeClang(temp.resolve("clang-sleepy"), "clang version 19.1.0", 60);
        var cc = ClangCompiler.create(ClangCompiler.Options.defaults()
                .withCacheDirectory(temp.resolve("cache"))
                .withKernelHeaders(KernelHeaders.none())
                .withClang(new Clang(fake, "clang version 19.1.0"))
                .withTimeout(Duration.ofMillis(500)));
        var e = assertThrows(CompileException.class, () -> cc.compile("int x;"));
        assertTrue(e.getMessage().contains("did not finish within"), e.getMessage());
    }

    @Test
    void generatedKernelHeadersAreWrittenOncePerIdentity() throws IOException {
        Path btf = Files.write(temp.resolve("fake.btf"), new byte[] {1, 2, 3});
        var writes = new AtomicInteger();
        KernelHeaders.HeaderWriter writer = new KernelHeaders.HeaderWriter() {
            @Override
            public void write(Path btfFile, java.io.OutputStream out) throws IOException {
                writes.incrementAndGet();
                out.write("typedef unsigned int from_btf_t;\n".getBytes(StandardCharsets.US_ASCII));
            }

            @Override
            public String identity() {
                return "test-writer-1";
            }
        };
        Path cache = temp.resolve("cache");
        var options = ClangCompiler.Options.defaults().withCacheDirectory(cache)
                .withKernelHeaders(KernelHeaders.fromBtf(btf, writer));
        String program = "#include \"vmlinux.h\"\nfrom_btf_t answer(void) { return 42; }\n";
        ClangCompiler cc = ClangCompiler.create(options);
        assertEquals(EM_BPF, elfMachine(cc.compile(program).elf()));
        assertTrue(ClangCompiler.create(options).compile(program).cached());
        assertEquals(1, writes.get());

        // Another BTF file (different content) gets its own header.
        Files.write(btf, new byte[] {4, 5, 6});
        var other = options.withKernelHeaders(KernelHeaders.fromBtf(btf, writer));
        assertFalse(ClangCompiler.create(other).compile(program).cached());
        assertEquals(2, writes.get());
    }

    static final String TASK_PROGRAM = """
            #include "vmlinux.h"
            #include <bpf/bpf_helpers.h>
            #include <bpf/bpf_core_read.h>

            SEC("tp/syscalls/sys_enter_getpid")
            int on_getpid(void *ctx)
            {
                struct task_struct *task = (struct task_struct *)bpf_get_current_task();
                return BPF_CORE_READ(task, real_parent, tgid) > 0;
            }

            char LICENSE[] SEC("license") = "GPL";
            """;

    @Test
    void runningKernelHeadersAreGeneratedOnceAndCompileCoReCode() throws IOException {
        Path cache = temp.resolve("cache");
        var options = ClangCompiler.Options.defaults().withCacheDirectory(cache);
        ClangCompiler cc = ClangCompiler.create(options);
        CompiledObject obj = cc.compile(Source.of("task.c", TASK_PROGRAM), List.of());
        assertEquals(EM_BPF, elfMachine(obj.elf()));
        String strings = new String(obj.elf(), StandardCharsets.ISO_8859_1);
        assertTrue(strings.contains("task_struct") && strings.contains(".BTF.ext"), "CO-RE relocation against task_struct");

        Path header;
        try (var dirs = Files.list(cache.resolve("kernel"))) {
            List<Path> all = dirs.toList();
            assertEquals(1, all.size(), all.toString());
            header = all.getFirst().resolve("vmlinux.h");
        }
        FileTime generated = Files.getLastModifiedTime(header);
        assertTrue(Files.readString(header).contains("struct task_struct {"));

        // A new compiler (as in a new process) reuses both the header and the object.
        ClangCompiler again = ClangCompiler.create(options);
        assertTrue(again.compile(Source.of("task.c", TASK_PROGRAM), List.of()).cached());
        assertEquals(0, again.clangRuns());
        // A different program compiles against the same header without rewriting it.
        assertFalse(again.compile(Source.of("task2.c", TASK_PROGRAM + "\n"), List.of()).cached());
        assertEquals(generated, Files.getLastModifiedTime(header));
    }

    /**
     * -gembed-source embeds every file's text; the generated vmlinux.h made each object ~3 MB.
     * Only the user's text stays: the verifier's messages quote it through BTF line_info.
     */
    @Test
    void objectsEmbedOnlyTheTextOfFilesWithCode() throws IOException {
        Path cache = temp.resolve("cache");
        Path includes = Files.createDirectory(temp.resolve("inc"));
        Files.writeString(includes.resolve("mine.h"), """
                SEC("tp/syscalls/sys_enter_getppid")
                int from_my_header(void *ctx) { return bpf_get_current_pid_tgid() > 41; }
                """);
        ClangCompiler cc = ClangCompiler.create(ClangCompiler.Options.defaults().withCacheDirectory(cache));
        // The user's own copy of vmlinux.h (`jbcc btf dump > vmlinux.h`), found first by #include "vmlinux.h".
        Files.copy(cc.kernelHeaderDirectory().resolve("vmlinux.h"), includes.resolve("vmlinux.h"));
        String program = TASK_PROGRAM.replace("#include <bpf/bpf_core_read.h>\n",
                "#include <bpf/bpf_core_read.h>\n#include \"mine.h\"\n");
        byte[] elf = cc.compile(new Source("task.c", program, includes), List.of()).elf();
        String strings = new String(elf, StandardCharsets.ISO_8859_1);
        Path header = cache.resolve("kernel");
        try (var dirs = Files.list(header)) {
            header = dirs.findFirst().orElseThrow().resolve("vmlinux.h");
        }
        // What remains is mostly DWARF for the kernel types the program uses (task_struct and all it
        // points to): a fifth of the header on 6.18, three tenths on 6.1; with the header's text it
        // would be larger than the header.
        assertTrue(elf.length < Files.size(header) / 2, elf.length + " bytes against a header of " + Files.size(header));
        assertFalse(strings.contains("struct task_struct {"), "vmlinux.h's text (types only) is not embedded");
        assertTrue(strings.contains("struct task_struct *task = (struct task_struct *)bpf_get_current_task();"),
                "the user's line, for BTF line_info");
        assertTrue(strings.contains("int from_my_header(void *ctx) { return bpf_get_current_pid_tgid() > 41; }"),
                "a header of the user's own");
    }

    @Test
    void runningKernelIdentityComesFromTheBuildId() throws IOException {
        String buildId = KernelHeaders.kernelBuildId();
        assertTrue(buildId != null && buildId.matches("[0-9a-f]{16,}"), String.valueOf(buildId));
        String identity = KernelHeaders.btfIdentity(KernelHeaders.KERNEL_BTF);
        assertTrue(identity.startsWith("kernel-build-id:" + buildId + ",size:" + Files.size(KernelHeaders.KERNEL_BTF)),
                identity);
        assertEquals(identity, KernelHeaders.btfIdentity(KernelHeaders.KERNEL_BTF));
        assertNotEquals(identity, KernelHeaders.btfIdentity(Files.write(temp.resolve("x.btf"), new byte[] {0})));
    }

    @Test
    void brokenCompilerIsPassedOver() throws IOException {
        Path bin = Files.createDirectory(temp.resolve("bin"));
        Path broken = bin.resolve("clang-20");
        Files.writeString(broken, "#!/bin/sh\nexit 3\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path good = fakeClang(bin.resolve("clang-17"), "clang version 17.0.6", 0);
        assertEquals(good, Clang.discover(List.of(bin), null).executable());
    }

    @Test
    void leftoverTemporariesArePrunedWhenOld() throws IOException {
        Path cache = temp.resolve("cache");
        compiler(cache);
        Path tmp = cache.resolve("tmp");
        Path old = Files.createDirectories(tmp.resolve("cc-old"));
        Files.writeString(old.resolve("input.c"), "int x;");
        Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 2 * 3600_000));
        Path young = Files.createDirectories(tmp.resolve("cc-young"));
        compiler(cache);
        assertFalse(Files.exists(old), "a compile killed two hours ago left it");
        assertTrue(Files.exists(young), "may belong to a running compile");
    }

    @Test
    void dependencyFileParsing() {
        String depFile = "jbcc-object: /usr/include/bpf/bpf_helpers.h \\\n  /tmp/my\\ dir/a.h b$$.h \\\n c\\#d.h\n";
        assertEquals(List.of("/usr/include/bpf/bpf_helpers.h", "/tmp/my dir/a.h", "b$.h", "c#d.h"),
                ClangCompiler.parseDependencyFile(depFile));
        assertEquals(List.of(), ClangCompiler.parseDependencyFile("jbcc-object:\n"));
    }

    private static Path onlyEntry(Path cache) throws IOException {
        try (var walk = Files.walk(cache.resolve("objects"))) {
            List<Path> entries = walk.filter(p -> p.toString().endsWith(".entry")).toList();
            assertEquals(1, entries.size(), entries.toString());
            return entries.getFirst();
        }
    }

    /** A stand-in compiler binary that prints a version line and then sleeps. */
    private static Path fakeClang(Path path, String versionLine, int sleepSeconds) throws IOException {
        Files.writeString(path, "#!/bin/sh\necho '" + versionLine + "'\n"
                + (sleepSeconds > 0 ? "exec sleep " + sleepSeconds + "\n" : ""));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
