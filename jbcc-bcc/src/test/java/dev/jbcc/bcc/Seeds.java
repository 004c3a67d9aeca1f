package dev.jbcc.bcc;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** The seed document's programs in {@code shared/acceptance/seed-programs}, beside the repository or a parent of it. */
final class Seeds {
    private Seeds() {}

    static Path file(String name) {
        Path repo = Path.of("").toAbsolutePath().getParent();
        for (Path dir = repo; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared/acceptance/seed-programs").resolve(name);
            if (Files.isRegularFile(candidate)) return candidate;
        }
        return fail("seed program " + name + " is not in shared/acceptance/seed-programs next to " + repo
                + " or any parent directory");
    }
}
