package dev.jbcc.tools.jvm;

import dev.jbcc.tools.JavaSymbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's boolean {@code -XX} flags: what its {@code jcmd PID VM.flags -all} says, or, where jcmd
 * cannot attach (no jcmd, attach disabled), what its command line and {@code JAVA_TOOL_OPTIONS},
 * {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS} set.
 *
 * @param values the flags known, by name
 * @param source where they were read from: {@code "jcmd"} or {@code "command line"}
 */
public record JvmFlags(Map<String, Boolean> values, String source) {
    private static final Pattern JCMD_LINE = Pattern.compile("^\\s*bool\\s+(\\w+)\\s+:?=\\s+(true|false)\\b");
    private static final Pattern XX = Pattern.compile("-XX:([+-])(\\w+)");

    /** Whether {@code flag} is on (false if unknown). */
    public boolean on(String flag) {
        return values.getOrDefault(flag, false);
    }

    /** Reads {@code jvm}'s flags: jcmd first, the command line when jcmd fails. */
    public static JvmFlags of(Jvm jvm) {
        return viaJcmd(jvm).orElseGet(() -> fromCommandLine(jvm.pid()));
    }

    /** The flags {@code jcmd PID VM.flags -all} prints, using the target's own jcmd if it has one. */
    static Optional<JvmFlags> viaJcmd(Jvm jvm) {
        Path jcmd = JavaSymbols.jcmd(jvm.javaHome());
        if (jcmd == null) return Optional.empty();
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Integer.toString(jvm.pid()), "VM.flags", "-all")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            Map<String, Boolean> values = new LinkedHashMap<>();
            for (String line : out.lines().toList()) {
                Matcher m = JCMD_LINE.matcher(line);
                if (m.find()) values.put(m.group(1), Boolean.parseBoolean(m.group(2)));
            }
            return p.exitValue() == 0 && !values.isEmpty() ? Optional.of(new JvmFlags(Map.copyOf(values), "jcmd")) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The {@code -XX:±Flag} options of the process's environment and command line, the later winning (as the JVM reads them). */
    static JvmFlags fromCommandLine(int pid) {
        Map<String, String> env = environment(pid);
        Map<String, Boolean> values = new LinkedHashMap<>();
        // JAVA_TOOL_OPTIONS comes first, then the command line (with JDK_JAVA_OPTIONS before it), _JAVA_OPTIONS last.
        scan(env.getOrDefault("JAVA_TOOL_OPTIONS", ""), values);
        scan(env.getOrDefault("JDK_JAVA_OPTIONS", ""), values);
        scan(String.join(" ", Jvm.commandLine(pid)), values);
        scan(env.getOrDefault("_JAVA_OPTIONS", ""), values);
        return new JvmFlags(Map.copyOf(values), "command line");
    }

    private static void scan(String text, Map<String, Boolean> values) {
        Matcher m = XX.matcher(text);
        while (m.find()) values.put(m.group(2), m.group(1).equals("+"));
    }

    private static Map<String, String> environment(int pid) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            String all = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ")), StandardCharsets.UTF_8);
            for (String kv : all.split("\0")) {
                int eq = kv.indexOf('=');
                if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        } catch (IOException e) {
            // gone, or not ours to read: no environment flags
        }
        return env;
    }

    /**
     * Why {@code jvm} does not fire one of {@code probes}, with the flag to restart it with; empty if
     * it fires them all. JDK 17's {@code -XX:+ExtendedDTraceProbes} sets every such flag; JDK 25
     * knows only the single ones.
     */
    public Optional<String> missingFor(List<HotSpotProbe> probes, Jvm jvm) {
        for (HotSpotProbe p : probes) {
            if (p.flag() == null || on(p.flag()) || on("ExtendedDTraceProbes")) continue;
            String all = values.containsKey("ExtendedDTraceProbes") ? " (or -XX:+ExtendedDTraceProbes for all of HotSpot's probes)" : "";
            return Optional.of("JVM " + jvm.pid() + " (" + jvm.name() + ") does not fire " + p.qualifiedName()
                    + ": it runs without -XX:+" + p.flag() + " (flags read by " + source + "); restart it with -XX:+" + p.flag() + all);
        }
        return Optional.empty();
    }
}
