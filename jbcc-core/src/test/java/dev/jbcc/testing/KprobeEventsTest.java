package dev.jbcc.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A kprobe and a kretprobe defined through tracefs fire on this thread's open of a file: the VM
 * suite's kernel has kprobes (the host's has none). Pure test code, no jbcc: it checks the
 * harness gives tests a kernel where kprobes work, before jbcc's kprobe links exist.
 */
@RequiresKprobes
class KprobeEventsTest {
    private static final Path TRACING = Path.of("/sys/kernel/tracing");
    private static final String GROUP = "jbcc_vmtest";
    private static final Pattern RETURN = Pattern.compile("ret=(0x[0-9a-f]+|-?\\d+)");

    @Test
    void kprobeAndKretprobeOnDoSysOpenat2FireWhenThisThreadOpensAFile() throws IOException {
        String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        String suffix = Long.toString(ProcessHandle.current().pid());
        String entry = "open_" + suffix;
        String exit = "open_ret_" + suffix;
        Path marker = Files.createTempFile("jbcc-kprobe", ".txt");
        Path events = TRACING.resolve("kprobe_events");
        try {
            // $arg2 is do_sys_openat2's filename, a user pointer; $retval the fd or -errno.
            append(events, "p:" + GROUP + "/" + entry + " do_sys_openat2 path=+0($arg2):ustring");
            append(events, "r:" + GROUP + "/" + exit + " do_sys_openat2 ret=$retval");
            for (String event : List.of(entry, exit)) {
                Path dir = TRACING.resolve("events").resolve(GROUP).resolve(event);
                Files.writeString(dir.resolve("filter"), "common_pid == " + tid);
                Files.writeString(dir.resolve("enable"), "1");
            }
            Files.readAllBytes(marker);
            for (String event : List.of(entry, exit)) {
                Files.writeString(TRACING.resolve("events").resolve(GROUP).resolve(event).resolve("enable"), "0");
            }

            List<String> lines = Files.readAllLines(TRACING.resolve("trace"));
            List<String> entries = lines.stream().filter(l -> l.contains(" " + entry + ":")).toList();
            List<String> exits = lines.stream().filter(l -> l.contains(" " + exit + ":")).toList();
            assertEquals(1, entries.stream().filter(l -> l.contains("path=\"" + marker + "\"")).count(),
                    "one kprobe hit with the file's path: " + entries);
            assertFalse(exits.isEmpty(), "the kretprobe fired");
            Matcher m = RETURN.matcher(exits.getLast());
            assertTrue(m.find(), exits.getLast());
            long fd = m.group(1).startsWith("0x") ? Long.parseUnsignedLong(m.group(1).substring(2), 16)
                    : Long.parseLong(m.group(1));
            assertTrue(fd >= 0 && fd < 1 << 20, "the kretprobe saw the open return an fd: " + exits.getLast());
        } finally {
            for (String event : List.of(entry, exit)) {
                Path enable = TRACING.resolve("events").resolve(GROUP).resolve(event).resolve("enable");
                if (Files.exists(enable)) Files.writeString(enable, "0");
                if (Files.readString(events).contains(GROUP + "/" + event + " ")) append(events, "-:" + GROUP + "/" + event);
            }
            Files.delete(marker);
        }
        assertFalse(Files.readString(events).contains(GROUP + "/" + entry + " "), "the kprobe is removed");
        assertFalse(Files.readString(events).contains(GROUP + "/" + exit + " "), "the kretprobe is removed");
    }

    /** One definition per write(2), appended: kprobe_events replaces all definitions when truncated. */
    private static void append(Path events, String definition) throws IOException {
        Files.writeString(events, definition + "\n", StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
}
