package dev.jbcc.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The system's load averages, for the {@code HH:MM:SS loadavg: ...} line of bcc's top-like tools. */
public final class LoadAvg {
    private LoadAvg() {
    }

    /** {@code /proc/loadavg} without its newline, or {@code "?"} if it cannot be read. */
    public static String now() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
