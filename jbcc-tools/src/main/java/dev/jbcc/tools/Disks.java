package dev.jbcc.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Block devices by name and by the kernel's {@code dev_t} (major in the high 12 bits, minor in the
 * low 20, as block tracepoints and {@code struct gendisk} carry it), read from sysfs.
 */
public final class Disks {
    private Disks() {
    }

    /** The kernel dev_t of the disk or partition {@code name} ({@code sda}, {@code loop0}, {@code /dev/vda1}). */
    public static OptionalLong dev(String name) {
        String base = name.startsWith("/dev/") ? name.substring(5) : name;
        Path dev = Path.of("/sys/class/block", base, "dev");
        try {
            String[] mm = Files.readString(dev).trim().split(":");
            return OptionalLong.of((Long.parseLong(mm[0]) << 20) | Long.parseLong(mm[1]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The name of kernel dev_t {@code dev}, or {@code MAJOR,MINOR} when sysfs has none. */
    public static String name(long dev) {
        long major = dev >>> 20, minor = dev & ((1 << 20) - 1);
        Path uevent = Path.of("/sys/dev/block", major + ":" + minor, "uevent");
        try (var lines = Files.lines(uevent)) {
            return lines.filter(l -> l.startsWith("DEVNAME=")).map(l -> l.substring(8)).findFirst()
                    .orElse(major + "," + minor);
        } catch (IOException | java.io.UncheckedIOException e) {
            return major + "," + minor;
        }
    }
}
