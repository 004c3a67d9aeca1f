package dev.jbcc.obj.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a fuzz target's seed corpus where Jazzer's regression mode reads it: the test resources'
 * {@code <package>/<TestClass>Inputs/<method>/}. Each fuzz test class makes its seeds from real
 * inputs (clang objects, kernel replies, tracefs files) in a {@code main} that takes the
 * resources directory; run it again after changing what the seeds should cover, and commit them.
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    /** The resources directory from {@code args[0]}, default {@code src/test/resources} of the module run in. */
    public static Path root(String[] args) {
        return Path.of(args.length > 0 ? args[0] : "src/test/resources");
    }

    public static void write(Path root, Class<?> target, String method, String name, byte[] seed) {
        Path dir = root.resolve(target.getPackageName().replace('.', '/'))
                .resolve(target.getSimpleName() + "Inputs").resolve(method);
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
