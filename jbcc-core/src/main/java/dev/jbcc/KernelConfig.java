package dev.jbcc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build configuration ({@code CONFIG_*}), read from /proc/config.gz or
 * /boot/config-RELEASE, for {@code .kconfig} externs and feature explanations.
 */
public final class KernelConfig {
    private final Map<String, String> values;

    private KernelConfig(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The running kernel's configuration; empty when the kernel publishes none. */
    public static KernelConfig current() {
        return Holder.CURRENT;
    }

    private static final class Holder {
        static final KernelConfig CURRENT = load();
    }

    private static KernelConfig load() {
        try {
            Path proc = Path.of("/proc/config.gz");
            if (Files.isReadable(proc)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(proc))) {
                    return parse(in);
                }
            }
            String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            Path boot = Path.of("/boot/config-" + release);
            if (Files.isReadable(boot)) {
                try (InputStream in = Files.newInputStream(boot)) {
                    return parse(in);
                }
            }
            return new KernelConfig(Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kernel configuration", e);
        }
    }

    /** Parses kconfig text: {@code CONFIG_X=y}, {@code CONFIG_Y="str"}, {@code # CONFIG_Z is not set}. */
    public static KernelConfig parse(InputStream in) throws IOException {
        var map = new HashMap<String, String>();
        var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            if (!line.startsWith("CONFIG_")) continue;
            int eq = line.indexOf('=');
            if (eq > 0) map.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new KernelConfig(map);
    }

    /** Whether any configuration was found at all. */
    public boolean isKnown() {
        return !values.isEmpty();
    }

    /** The raw value ("y", "m", "250", "\"str\""), or empty when the option is unset. */
    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** True for =y and =m. */
    public boolean isEnabled(String name) {
        String v = values.get(name);
        return "y".equals(v) || "m".equals(v);
    }
}
