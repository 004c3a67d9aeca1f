package dev.jbcc.compile;

import dev.jbcc.errors.FileAccessException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A C translation unit to compile: its text and the name diagnostics and debug info should show.
 *
 * @param name             the file name as the user knows it ("prog.c", "src/prog.c"), or
 *                         {@code "<source>"} for text that never lived in a file
 * @param text             the C source
 * @param includeDirectory where {@code #include "x.h"} should look first (the file's directory),
 *                         or null
 */
public record Source(String name, String text, Path includeDirectory) {

    /** The name given to source text that has no file. */
    public static final String ANONYMOUS = "<source>";

    public Source {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
        if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("source name contains a line break: " + name);
        }
    }

    /** Source text without a file, named {@value #ANONYMOUS} in diagnostics. */
    public static Source of(String text) {
        return new Source(ANONYMOUS, text, null);
    }

    /** Source text shown under {@code name} in diagnostics, e.g. a resource name. */
    public static Source of(String name, String text) {
        return new Source(name, text, null);
    }

    /**
     * Reads a C file (UTF-8). Diagnostics name it as given, and quoted includes resolve against its
     * directory first, as they would if clang read the file itself.
     */
    public static Source read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Path dir = file.toAbsolutePath().normalize().getParent();
            return new Source(file.toString(), text, dir);
        } catch (IOException e) {
            throw FileAccessException.of("read", file, e);
        }
    }
}
