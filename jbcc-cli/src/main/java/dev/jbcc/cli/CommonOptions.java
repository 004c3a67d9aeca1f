package dev.jbcc.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h/--help} and {@code -v/--verbose}, mixed into every command (picocli's standard mixin
 * would add -V to each as well). An error's stack trace is printed when any command on the way
 * was given --verbose.
 */
public final class CommonOptions {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-v", "--verbose"}, description = "Say more; on an error, print its stack trace (as JBCC_DEBUG=1 does).")
    boolean verbose;
}
