package dev.jbcc.cli;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * {@code ./jbcc Script.java args…}: Java's source launcher ({@code java Script.java}) with jbcc's
 * error rule around it. An exception that ends the script is one line, {@code Script: …} (clang's
 * diagnostics first for a compile error), with exit status 1; its stack trace only with
 * {@code JBCC_DEBUG=1}. The launcher needs {@code --add-exports
 * jdk.compiler/com.sun.tools.javac.launcher=ALL-UNNAMED}.
 */
public final class ScriptMain {
    private static final String SOURCE_LAUNCHER = "com.sun.tools.javac.launcher.SourceLauncher";

    private ScriptMain() {}

    public static void main(String[] args) throws Throwable {
        if (args.length == 0 || !args[0].endsWith(".java")) {
            System.err.println("jbcc: usage: jbcc Script.java [arguments]");
            System.exit(2);
        }
        Method launch = Class.forName(SOURCE_LAUNCHER).getMethod("main", String[].class);
        try {
            launch.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (!(cause instanceof Exception failure)) throw cause; // an Error: the JVM's own report
            String name = Path.of(args[0]).getFileName().toString().replaceFirst("\\.java$", "");
            dev.jbcc.tools.Errors.report(failure, new PrintWriter(System.err, true), dev.jbcc.tools.Errors.debugRequested(), name);
            System.exit(Main.EXIT_ERROR);
        }
    }
}
