package dev.jbcc.features;

import dev.jbcc.errors.FormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A Linux kernel version. {@link #code()} is what {@code LINUX_VERSION_CODE} and the
 * {@code LINUX_KERNEL_VERSION} kconfig extern hold.
 */
public record KernelVersion(int major, int minor, int patch) implements Comparable<KernelVersion> {
    private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** Parses "6.1.0-28-amd64" or "6.18.44-fc" style release strings. */
    public static KernelVersion parse(String release) {
        var m = RELEASE.matcher(release.trim());
        if (!m.find()) throw new FormatException("not a kernel release: '" + release + "'");
        int patch = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), patch);
    }

    /** The running kernel, from /proc/sys/kernel/osrelease. */
    public static KernelVersion current() {
        return Holder.CURRENT;
    }

    private static final class Holder {
        static final KernelVersion CURRENT = read();

        private static KernelVersion read() {
            try {
                return parse(Files.readString(Path.of("/proc/sys/kernel/osrelease")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the kernel release from /proc/sys/kernel/osrelease", e);
            }
        }
    }

    /** KERNEL_VERSION(major, minor, patch); the kernel clamps the patch level to 255. */
    public int code() {
        return (major << 16) + (minor << 8) + Math.min(patch, 255);
    }

    public boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    @Override
    public int compareTo(KernelVersion o) {
        return Integer.compare(code(), o.code());
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
