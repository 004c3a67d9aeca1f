package dev.jbcc.tools;

import picocli.CommandLine.Option;

/**
 * The options every tool has besides bcc's own. {@code -v} is an alias of {@code --verbose} in the
 * tools where bcc does not use {@code -v} for something else ({@link Tools#commandLine} adds it).
 */
public final class ToolOptions {
    @Option(names = "--json", description = "Print one JSON object per event or per interval instead of columns.")
    boolean json;

    @Option(names = "--verbose", description = "Say which kernel hooks were chosen and why; print stack traces of errors.")
    boolean verbose;

    public boolean json() {
        return json;
    }

    public boolean verbose() {
        return verbose;
    }
}
