package dev.jbcc.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The system's load averages, as the top-like tools print them in each interval's first line. */
public final class LoadAverage {
    private LoadAverage() {
    }

    /** The text of /proc/loadavg without its line end ({@code 0.52 0.58 0.59 2/812 4711}), {@code ?} where it cannot be read. */
    public static String text() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
