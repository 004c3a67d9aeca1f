package dev.jbcc.cli;

import picocli.CommandLine;

/** A command that only groups subcommands ({@code jbcc btf}, {@code jbcc cache}): alone, it lists them, as a usage error. */
abstract class CommandGroup implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
    }
}
