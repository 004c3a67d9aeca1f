package dev.jbcc.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kprobe and a kretprobe on a real trigger, through tracefs and without jbcc: proves that the
 * VM suite's kernel has what jbcc's kprobe support will need. A stand-in until the attach layer
 * brings kprobe programs through jbcc itself (perf_event_open on the kprobe PMU); keep it then
 * as the check of the harness's kernel. The host kernel has no kprobes, so only
 * {@code scripts/vmtest} runs this class.
 */
@RequiresKprobes
class KprobeTracefsTest {
    private static final Path TRACING = Path.of("/sys/kernel/tracing");
    private static final String GROUP = "jbcc_vmtest";
    /** The function under open(2), openat(2) and openat2(2) since 5.6. */
    private static final String TRIGGER = "do_sys_openat2";
    /** PERF_TYPE_MAX: PMUs registered at run time, like kprobe's, get types from here on. */
    private static final int PERF_TYPE_MAX = 6;

    @Test
    void kprobePmuHasADynamicPerfType() throws IOException {
        int type = Integer.parseInt(Files.readString(KernelFeature.KPROBE_PMU_TYPE).trim());
        assertTrue(type >= PERF_TYPE_MAX, "kprobe PMU type " + type);
    }

    @Test
    void kprobeAndKretprobeFireOnOpen(@TempDir Path dir) throws IOException {
        long pid = ProcessHandle.current().pid();
        String entry = "open_" + pid, exit = "open_ret_" + pid;
        Path absent = dir.resolve("jbcc-kprobe-trigger-" + System.nanoTime());
        Path events = TRACING.resolve("kprobe_events");
        // ustring: the file name is a user-space pointer (open's second argument).
        append(events, "p:" + GROUP + "/" + entry + " " + TRIGGER + " path=+0($arg2):ustring");
        append(events, "r:" + GROUP + "/" + exit + " " + TRIGGER + " ret=$retval:s32");
        // A private trace instance: the global buffer and other readers are left alone.
        Path instance = TRACING.resolve("instances").resolve(GROUP + "_" + pid);
        Files.createDirectory(instance);
        try {
            assertTrue(Files.isDirectory(TRACING.resolve("events").resolve(GROUP).resolve(entry)));
            // Only this thread's opens: the kernel's pid of a thread is its thread id.
            int tid = CountingPrograms.currentThreadId();
            for (String event : List.of(entry, exit)) {
                Path eventDir = instance.resolve("events").resolve(GROUP).resolve(event);
                Files.writeString(eventDir.resolve("filter"), "common_pid == " + tid);
                Files.writeString(eventDir.resolve("enable"), "1");
            }
            assertThrows(NoSuchFileException.class, () -> Files.newInputStream(absent).close());
            for (String event : List.of(entry, exit)) {
                Files.writeString(instance.resolve("events").resolve(GROUP).resolve(event).resolve("enable"), "0");
            }
            List<String> lines = Files.readAllLines(instance.resolve("trace")).stream()
                    .filter(l -> !l.startsWith("#")).toList();
            List<String> entries = lines.stream()
                    .filter(l -> l.contains(" " + entry + ":") && l.contains("path=\"" + absent + "\"")).toList();
            List<String> exits = lines.stream().filter(l -> l.contains(" " + exit + ":")).toList();
            assertEquals(1, entries.size(), "kprobe hits for " + absent + " in:\n" + String.join("\n", lines));
            assertFalse(exits.isEmpty(), "no kretprobe hit in:\n" + String.join("\n", lines));
            // The open failed with ENOENT, and the kretprobe saw the kernel's return value.
            assertTrue(exits.stream().anyMatch(l -> l.endsWith("ret=-2")), String.join("\n", exits));
        } finally {
            Files.delete(instance);
            append(events, "-:" + GROUP + "/" + exit);
            append(events, "-:" + GROUP + "/" + entry);
        }
        assertFalse(Files.exists(TRACING.resolve("events").resolve(GROUP).resolve(entry)));
    }

    private static void append(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
}
