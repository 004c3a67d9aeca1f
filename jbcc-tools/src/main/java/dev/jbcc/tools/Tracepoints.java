package dev.jbcc.tools;

import dev.jbcc.trace.Tracefs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields a tracepoint has on the running kernel, from its tracefs format: what tplist prints,
 * and how a tool learns whether a field it would like is there (tracepoints gain fields across
 * kernel versions).
 */
public final class Tracepoints {
    private static final Pattern FIELD = Pattern.compile("^\\s*field:(.*?);\\s*offset:");

    private Tracepoints() {
    }

    /**
     * The fields of tracepoint {@code category:event} as its format declares them
     * ({@code const char * filename}), the common ones left out.
     */
    public static List<String> fields(String tracepoint) {
        String[] ce = tracepoint.split(":", 2);
        Path format = Tracefs.path().resolve("events").resolve(ce[0]).resolve(ce[1]).resolve("format");
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(format)) {
                Matcher m = FIELD.matcher(line);
                if (m.find() && !m.group(1).matches(".*\\bcommon_\\w+$")) out.add(m.group(1).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + format, e);
        }
        return out;
    }

    /** Whether the tracepoint has a field named {@code name}. */
    public static boolean hasField(String tracepoint, String name) {
        Pattern p = Pattern.compile(".*\\b" + Pattern.quote(name) + "(\\[.*])?$");
        return fields(tracepoint).stream().anyMatch(f -> p.matcher(f).matches());
    }
}
