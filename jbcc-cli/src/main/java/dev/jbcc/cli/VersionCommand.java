package dev.jbcc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** {@code jbcc version}: jbcc's version and what it runs on. */
@Command(name = "version", description = "Print jbcc's version, the Java runtime and the kernel.")
final class VersionCommand implements Runnable {

    @CommandLine.Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        for (String line : new Provider().getVersion()) out.println(line);
        out.flush();
    }

    /** jbcc's version, filled in by the build. */
    static String jbccVersion() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            var props = new Properties();
            props.load(in);
            return props.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Also answers {@code jbcc --version}. */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                    "jbcc " + jbccVersion(),
                    "java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")",
                    "linux " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
            };
        }
    }
}
