package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Compiling the link tests' C programs (vmlinux.h, libbpf headers) and triggering their events. */
final class TracingPrograms {
    private TracingPrograms() {}

    /** Compiles {@code /link/NAME} with the running kernel's vmlinux.h. */
    static CollectionSpec compile(String resource) {
        try (InputStream in = TracingPrograms.class.getResourceAsStream("/link/" + resource)) {
            if (in == null) throw new IllegalArgumentException("no test resource /link/" + resource);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return ObjectReader.read(ClangCompiler.create().compile(Source.of(resource, text), List.of()).elf());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This process's id. */
    static int pid() {
        return (int) ProcessHandle.current().pid();
    }

    /** The kernel thread id of the calling thread (from /proc/thread-self, a link to PID/task/TID). */
    static int tid() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The spec with target_pid (and target_tid, when the program has it) set to this process and thread. */
    static CollectionSpec forThisThread(CollectionSpec spec) {
        CollectionSpec s = spec.withVariable("target_pid", pid());
        return s.variables().containsKey("target_tid") ? s.withVariable("target_tid", tid()) : s;
    }

    private static final java.lang.foreign.MemorySegment PROC_SELF_STAT =
            java.lang.foreign.Arena.global().allocateFrom("/proc/self/stat");

    /** Exactly {@code n} openat(2) calls from this thread: libc open() is one openat, close() closes it. */
    static void openat(int n) {
        for (int i = 0; i < n; i++) {
            int fd = Libc.open(PROC_SELF_STAT, Libc.O_RDONLY | Libc.O_CLOEXEC);
            if (fd < 0) throw new IllegalStateException("open failed: errno " + -fd);
            Libc.close(fd);
        }
    }

    static long get(Collection c, String variable) {
        return c.variable(variable).get(ValueLayout.JAVA_LONG, 0);
    }
}
