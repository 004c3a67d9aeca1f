package dev.jbcc.tools.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import dev.jbcc.tools.Variants;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * filegone on files and a directory the test renames and deletes in a temp directory of its own:
 * on the host through the system calls' tracepoints, in the VM (kprobes) through vfs_unlink,
 * vfs_rmdir and vfs_rename.
 * Tagged vm: the VM runs the kprobe variant.
 */
@Tag("vm")
class FilegoneTest {
    @TempDir
    Path dir;

    @Test
    void renamesAndDeletesOfTheTestsOwnFiles() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String from = "gone-" + tag + ".tmp", to = "gone-" + tag + ".txt", sub = "gone-" + tag + ".d";
        Files.writeString(dir.resolve(from), "x");
        Files.createDirectory(dir.resolve(sub));
        long pid = ProcessHandle.current().pid();
        try (ToolRun run = Runs.started("filegone", "--verbose", "-p", Long.toString(pid))) {
            assertEquals("TIME     PID     COMM             ACTION FILE", run.lines().getFirst());
            assertTrue(run.errors().contains(Features.haveKprobes() ? "using kprobe vfs_unlink" : "using tracepoint syscalls:sys_enter_unlink"),
                    "kprobes where the kernel has them: " + run.errors());
            Files.move(dir.resolve(from), dir.resolve(to));
            Files.delete(dir.resolve(to));
            Files.delete(dir.resolve(sub));
            String comm = Files.readString(Path.of("/proc/thread-self/comm")).strip();
            List<String> rename = row(run, "RENAME " + from + " > " + to);
            List<String> delete = row(run, "DELETE " + to);
            List<String> rmdir = row(run, "DELETE " + sub);
            for (List<String> r : List.of(rename, delete, rmdir)) {
                assertTrue(r.get(0).matches("\\d\\d:\\d\\d:\\d\\d"), r.toString());
                assertEquals(pid, Long.parseLong(r.get(1)), r.toString());
                assertEquals(comm, r.get(2), r.toString());
            }
            assertEquals(0, run.stop(Runs.READY), run.errors());
        }
    }

    @Test
    void jsonAndAFailedDeleteIsNoEvent() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path missing = dir.resolve("never-" + tag), file = dir.resolve("json-" + tag);
        Files.writeString(file, "x");
        try (ToolRun run = Runs.started("filegone", "--json")) {
            assertTrue(!Files.deleteIfExists(missing));
            Files.delete(file);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"file\":\"json-" + tag + "\""), Runs.EVENT).orElseThrow(
                    () -> new AssertionError("no delete of " + file + ": " + run.output() + run.errors())));
            assertEquals("DELETE", e.get("action").asText());
            assertEquals(ProcessHandle.current().pid(), e.get("pid").asLong());
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertTrue(run.output().lines().noneMatch(l -> l.contains("never-" + tag)), run.output());
        }
    }

    /** The kprobes' C, for this kernel's vfs functions, compiles and passes the verifier here too. */
    @Test
    void itsKprobesCompileAndVerifyForThisKernel() {
        Map<String, Object> defines = new LinkedHashMap<>(Filegone.kprobeDefines());
        defines.put("FILTER_PID", -1);
        var program = Variants.compile(Filegone.class, "filegone.bpf.c", Filegone.KPROBE, defines);
        assertEquals(List.of("kprobe/vfs_unlink", "kprobe/vfs_rmdir", "kprobe/vfs_rename"),
                program.functions().stream().map(f -> f.section()).toList());
        Variants.verify(program);
    }

    private static List<String> row(ToolRun run, String actionAndFile) throws InterruptedException {
        String line = run.awaitLine(l -> l.endsWith(" " + actionAndFile), Runs.EVENT).orElseThrow(
                () -> new AssertionError("no " + actionAndFile + ": " + run.output() + run.errors()));
        return Runs.columns(line, 5);
    }
}
