package dev.jbcc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jbcc btf …}: the kernel's type information. */
@Command(name = "btf", description = "Inspect BTF, the kernel's type information.",
        subcommands = {BtfCommand.Dump.class})
final class BtfCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** {@code jbcc btf dump [--file PATH]}: vmlinux.h on standard output. */
    @Command(name = "dump", description = {
            "Print the running kernel's types as a C header (vmlinux.h).",
            "Typical use: jbcc btf dump > vmlinux.h"})
    static final class Dump implements Runnable {
        @CommandLine.Option(names = "--file", paramLabel = "PATH",
                description = "Read this raw BTF file instead of /sys/kernel/btf/vmlinux.")
        java.nio.file.Path file;

        @Override
        public void run() {
            throw new dev.jbcc.UnsupportedFeatureException("jbcc btf dump", null,
                    "the BTF header writer is not merged into this build yet");
        }
    }
}
