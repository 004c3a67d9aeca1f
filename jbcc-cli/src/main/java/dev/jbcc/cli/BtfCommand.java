package dev.jbcc.cli;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfHeaderWriter;
import dev.jbcc.errors.FormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** {@code jbcc btf …}: the kernel's type information. */
@Command(name = "btf", description = "Inspect BTF, the kernel's type information.",
        subcommands = {BtfCommand.Dump.class})
final class BtfCommand extends CommandGroup {

    /** {@code jbcc btf dump [--file PATH]}: vmlinux.h on standard output. */
    @Command(name = "dump", description = {
            "Print the running kernel's types as a C header (vmlinux.h).",
            "Typical use: jbcc btf dump > vmlinux.h"})
    static final class Dump implements java.util.concurrent.Callable<Integer> {

        @CommandLine.Mixin
        CommonOptions common;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = "--file", paramLabel = "PATH",
                description = "Read this raw BTF file (e.g. another machine's /sys/kernel/btf/vmlinux) instead.")
        Path file;

        @Override
        public Integer call() {
            Btf btf = file == null ? Btf.kernel() : Btf.parse(read(file));
            PrintWriter out = spec.commandLine().getOut();
            try {
                new BtfHeaderWriter(btf).write(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a PrintWriter reports errors through checkError
            }
            out.flush();
            // PrintWriter and PrintStream swallow write errors (a full disk, a closed pipe); a
            // truncated vmlinux.h must not look like a good one.
            if (out.checkError() || System.out.checkError()) {
                // A pipe whose reader left (`jbcc btf dump | head`) is a normal end, as for cat.
                if (Main.standardOutputIsAPipe()) return 0;
                spec.commandLine().getErr().println("jbcc: cannot write the header to standard output");
                return Main.EXIT_ERROR;
            }
            return 0;
        }

        private static byte[] read(Path file) {
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new FormatException("BTF file " + file + " does not exist");
            } catch (IOException e) {
                throw new FormatException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
