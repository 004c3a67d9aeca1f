package dev.jbcc;

import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** CO-RE through the whole loader: C programs compiled here, relocated against the running kernel, run. */
@ExtendWith(FdLeakCheck.class)
class CoreRelocationsTest {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    static CollectionSpec compile(String resource) {
        try (InputStream in = CoreRelocationsTest.class.getResourceAsStream("/bpf/" + resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] elf = ClangCompiler.create().compile(Source.of(Path.of(resource).getFileName().toString(), text),
                    List.of("-I", "/usr/include/" + multiarch())).elf();
            return ObjectReader.read(elf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Debian's directory for asm/types.h, which linux/bpf.h includes. */
    static String multiarch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64" -> "aarch64-linux-gnu";
            default -> System.getProperty("os.arch") + "-linux-gnu";
        };
    }

    /** The calling thread's id: the first field of /proc/thread-self/stat. */
    private static int currentTid() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        return Integer.parseInt(stat.substring(0, stat.indexOf(' ')));
    }

    @Test
    void readsPidAndTgidOfTheCallingThreadThroughALocalTaskStructWithAnotherLayout() throws IOException {
        try (Collection c = Collection.load(compile("loader/core.c"))) {
            int tid = currentTid();
            c.program("read_task").testRun(TestRun.context(new byte[8]).withRepeat(0));
            assertEquals(tid, c.variable("pid").get(I32, 0), "task->pid is the calling thread's id");
            assertEquals(ProcessHandle.current().pid(), c.variable("tgid").get(I32, 0), "task->tgid is the process id");
            assertEquals(1, c.variable("pid_exists").get(I32, 0));
            assertEquals(0, c.variable("missing_exists").get(I32, 0), "the kernel's task_struct has no jbcc_no_such_field");
        }
    }

    @Test
    void aReachablePoisonedReadFailsVerificationNamingTheFieldAndStruct() {
        CollectionSpec spec = compile("core/poison_reachable.c");
        var e = assertThrows(VerifierException.class, () -> Collection.load(spec).close());
        assertTrue(e.log().contains("invalid func unknown#195896080"), e.log());
        assertTrue(e.getMessage().contains("reads field task_struct___local.jbcc_no_such_field, which kernel struct "
                + "task_struct does not have (CO-RE relocation could not be resolved); guard it with bpf_core_field_exists()"),
                e.getMessage());
    }
}
