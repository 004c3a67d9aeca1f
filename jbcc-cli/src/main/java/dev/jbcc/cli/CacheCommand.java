package dev.jbcc.cli;

import dev.jbcc.compile.ClangCompiler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;

/** {@code jbcc cache …}: jbcc's compile cache. */
@Command(name = "cache", description = {
        "Manage jbcc's compile cache ($XDG_CACHE_HOME/jbcc or ~/.cache/jbcc).",
        "Compiled objects are kept up to 256 MiB (JBCC_CACHE_MAX, e.g. 1G), the least recently used going first."},
        subcommands = {CacheCommand.Clean.class})
final class CacheCommand extends CommandGroup {

    /** {@code jbcc cache clean}: everything removed; the next compile starts afresh. */
    @Command(name = "clean", description = {
            "Empty the cache: compiled objects, generated vmlinux.h headers, remembered clang versions.",
            "Nothing is lost but time: the next compile runs clang again."})
    static final class Clean implements Runnable {
        @CommandLine.Mixin
        CommonOptions common;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = "--cache-dir", paramLabel = "DIR",
                description = "The cache directory (default: $XDG_CACHE_HOME/jbcc or ~/.cache/jbcc).")
        Path cacheDir;

        @Override
        public void run() {
            Path dir = cacheDir != null ? cacheDir : ClangCompiler.defaultCacheDirectory();
            long freed = ClangCompiler.cleanCache(dir);
            var out = spec.commandLine().getOut();
            out.printf("removed %.1f MiB from %s%n", freed / (1024.0 * 1024.0), dir);
            out.flush();
        }
    }
}
