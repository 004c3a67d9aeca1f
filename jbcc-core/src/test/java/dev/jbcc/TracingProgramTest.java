package dev.jbcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.RequiresBpfLsm;
import dev.jbcc.testing.RequiresFentry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * fentry, fexit and BPF LSM programs (resources/bpf/tracing/trampolines.c) loaded with
 * {@link Collection#load}, attached, and fired by this thread's own system calls. The host kernel
 * refuses to load them (EPERM), so they are tagged "fentry" and "lsm" and run in the VM suite
 * ({@code scripts/vmtest}, Debian's 6.1 kernel).
 *
 * <p>They attach with BPF_RAW_TRACEPOINT_OPEN through the internal syscall layer, which is all a
 * tracing or LSM program needs; jbcc's own link types for them come with the link layer of a later
 * issue, and these tests should then attach through those.
 */
@ExtendWith(FdLeakCheck.class)
class TracingProgramTest {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt S32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final int ENOENT = 2;

    /** The object, with its programs acting only on the calling thread. */
    private static CollectionSpec programsForThisThread() throws IOException {
        String text;
        try (InputStream in = TracingProgramTest.class.getResourceAsStream("/bpf/tracing/trampolines.c")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        byte[] elf = ClangCompiler.create().compile(Source.of("trampolines.c", text), List.of()).elf();
        return ObjectReader.read(elf).withVariable("target_tid", currentTid());
    }

    /** The kernel's id of this thread (what bpf_get_current_pid_tgid() returns in its low half). */
    private static int currentTid() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A function the kernel does not have is a NotFoundException naming it, found before the load
     * (so on the host too, where fentry loads are refused); modules are named only when the
     * function is in one.
     */
    @Test
    void aMissingFentryTargetIsNotFound() {
        String text = """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                #include <bpf/bpf_tracing.h>
                SEC("fentry/jbcc_no_such_function") int BPF_PROG(on_entry) { return 0; }
                char LICENSE[] SEC("license") = "GPL";
                """;
        CollectionSpec spec = ObjectReader.read(ClangCompiler.create().compile(text).elf());
        var e = assertThrows(NotFoundException.class, () -> Collection.load(spec).close());
        assertTrue(e.getMessage().contains("kernel function jbcc_no_such_function"), e.getMessage());
        assertFalse(e.getMessage().contains("module"), e.getMessage());
    }

    @Test
    @RequiresFentry
    void fentryAndFexitSeeThisThreadsUnlinksAndTheirResults() throws IOException {
        try (Collection c = Collection.load(programsForThisThread())) {
            Program entry = c.program("unlink_entry");
            Program exit = c.program("unlink_exit");
            assertEquals(ProgramType.TRACING, entry.type());
            assertEquals(AttachType.TRACE_FENTRY, entry.attachType());
            assertEquals(AttachType.TRACE_FEXIT, exit.attachType());
            int doUnlinkat = Btf.kernel().lookup("do_unlinkat", BtfType.Func.class)[0];
            assertEquals(doUnlinkat, Bpf.progInfo(Handles.of(entry)).attachBtfId(), "loaded against do_unlinkat's BTF");
            assertEquals(doUnlinkat, Bpf.progInfo(Handles.of(exit)).attachBtfId());

            MemorySegment entries = c.variable("unlink_entries");
            MemorySegment exits = c.variable("unlink_exits");
            MemorySegment lastRet = c.variable("last_unlink_ret");
            Path dir = Files.createTempDirectory("jbcc-fentry");
            try {
                File victim = Files.createFile(dir.resolve("victim")).toFile();
                try (Fd entryLink = Bpf.rawTracepointOpen(null, Handles.of(entry), 0);
                     Fd exitLink = Bpf.rawTracepointOpen(null, Handles.of(exit), 0)) {
                    assertTrue(victim.delete(), "unlink of an existing file");
                    assertEquals(0, lastRet.get(S32, 0), "fexit saw do_unlinkat return 0");
                    // java.io.File.delete goes through remove(3): unlink, which fails with ENOENT.
                    assertFalse(victim.delete(), "unlink of a missing file");
                    assertEquals(-ENOENT, lastRet.get(S32, 0), "fexit saw do_unlinkat return -ENOENT");
                    assertEquals(2, entries.get(U64, 0), "fentry ran once per unlink");
                    assertEquals(2, exits.get(U64, 0), "fexit ran once per unlink");
                }
                Files.createFile(dir.resolve("after"));
                Files.delete(dir.resolve("after"));
                assertEquals(2, entries.get(U64, 0), "closing the link detached fentry");
                assertEquals(2, exits.get(U64, 0), "closing the link detached fexit");
            } finally {
                Files.deleteIfExists(dir.resolve("victim"));
                Files.delete(dir);
            }
        }
    }

    @Test
    @RequiresBpfLsm
    void lsmProgramRefusesThisThreadsOpenWhileAsked() throws IOException {
        List<String> active = Arrays.asList(Files.readString(Path.of("/sys/kernel/security/lsm")).trim().split(","));
        assertTrue(active.contains("bpf"), "bpf is among the active LSMs: " + active);

        try (Collection c = Collection.load(programsForThisThread())) {
            Program hook = c.program("check_file_open");
            assertEquals(ProgramType.LSM, hook.type());
            assertEquals(AttachType.LSM_MAC, hook.attachType());
            assertEquals(Btf.kernel().lookup("bpf_lsm_file_open", BtfType.Func.class)[0],
                    Bpf.progInfo(Handles.of(hook)).attachBtfId(), "loaded against the file_open hook");

            MemorySegment opens = c.variable("file_opens");
            MemorySegment refusals = c.variable("file_open_refusals");
            MemorySegment refuseTid = c.variable("refuse_tid");
            Path file = Files.createTempFile("jbcc-lsm", ".txt");
            try {
                Files.writeString(file, "jbcc");
                try (Fd link = Bpf.rawTracepointOpen(null, Handles.of(hook), 0)) {
                    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
                        assertEquals(4, ch.size(), "allowed while refuse_tid is unset");
                    }
                    // No lambda or class loading between setting and clearing refuse_tid: the
                    // program refuses every open of this thread, class files included.
                    IOException refused = null;
                    refuseTid.set(S32, 0, currentTid());
                    try {
                        Files.newByteChannel(file).close();
                    } catch (IOException e) {
                        refused = e;
                    } finally {
                        refuseTid.set(S32, 0, 0);
                    }
                    assertInstanceOf(AccessDeniedException.class, refused, "the LSM program returned -EACCES");
                    assertEquals("jbcc", Files.readString(file), "allowed again");
                    assertEquals(1, refusals.get(U64, 0));
                    assertTrue(opens.get(U64, 0) >= 3, "the hook saw every open of this thread: " + opens.get(U64, 0));
                }
                long before = opens.get(U64, 0);
                Files.readString(file);
                assertEquals(before, opens.get(U64, 0), "closing the link detached the LSM program");
            } finally {
                Files.delete(file);
            }
        }
    }
}
