package dev.jbcc.bcc.dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The seed document's five programs, read from {@code shared/acceptance/seed-programs} next to the
 * repository root (or next to one of its parent directories, for worktrees).
 */
final class SeedPrograms {
    private SeedPrograms() {}

    static final String RELATIVE = "shared/acceptance/seed-programs";

    static Path directory() {
        // Tests run in the module directory; the repository root is its parent.
        Path repo = Path.of("").toAbsolutePath().getParent();
        for (Path dir = repo; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling(RELATIVE);
            if (Files.isDirectory(candidate)) return candidate;
        }
        return fail("the seed programs are not at ../" + RELATIVE + " next to the repository " + repo
                + " (nor next to any parent directory); check out the shared documents there");
    }

    static Path file(String name) {
        Path file = directory().resolve(name);
        if (!Files.isRegularFile(file)) fail("seed program " + file + " is missing");
        return file;
    }

    /** The 1-based line of the first line containing {@code needle}. */
    static int lineOf(String name, String needle) {
        String[] lines = text(name).split("\n", -1);
        for (int i = 0; i < lines.length; i++) if (lines[i].contains(needle)) return i + 1;
        return fail(name + " has no line containing " + needle);
    }

    static String text(String name) {
        try {
            return Files.readString(file(name));
        } catch (IOException e) {
            return fail("cannot read seed program " + name + ": " + e);
        }
    }
}
