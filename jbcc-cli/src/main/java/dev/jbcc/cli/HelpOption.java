package dev.jbcc.cli;

import picocli.CommandLine.Option;

/** {@code -h/--help}, mixed into every command (picocli's standard mixin would add -V to each as well). */
public final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
