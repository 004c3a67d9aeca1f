package dev.jbcc.tools.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the memory tools read from /proc beside their events. */
final class ProcFiles {
    private ProcFiles() {
    }

    /** /proc/loadavg, as bcc's tools print it. */
    static String loadavg() {
        return read(Path.of("/proc/loadavg"), "?");
    }

    /** The name of a process that may be gone by now ("?" then). */
    static String comm(long pid) {
        return read(Path.of("/proc", String.valueOf(pid), "comm"), "?");
    }

    /** MemFree of /proc/meminfo, in KB; -1 if it cannot be read. */
    static long memFreeKb() {
        try (var lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemFree:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String read(Path file, String otherwise) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return otherwise;
        }
    }
}
