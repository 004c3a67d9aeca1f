package dev.jbcc.internal.sys;

import dev.jbcc.errors.FormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPUs the kernel could ever bring online: per-CPU maps hold one value slot for each. */
public final class Cpus {
    private Cpus() {}

    private static final Path POSSIBLE = Path.of("/sys/devices/system/cpu/possible");

    private static final class Holder {
        static final int POSSIBLE_COUNT = parseCount(read());

        private static String read() {
            try {
                return Files.readString(POSSIBLE).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + POSSIBLE + " to size per-CPU map values", e);
            }
        }
    }

    /** Number of possible CPUs, from /sys/devices/system/cpu/possible (read once). */
    public static int possible() {
        return Holder.POSSIBLE_COUNT;
    }

    /** Counts the CPUs in a kernel cpu list such as "0-3,8,10-11". */
    public static int parseCount(String list) {
        int count = 0;
        try {
            for (String part : list.trim().split(",")) {
                if (part.isEmpty()) continue;
                int dash = part.indexOf('-');
                if (dash < 0) {
                    Integer.parseInt(part);
                    count++;
                } else {
                    int from = Integer.parseInt(part.substring(0, dash)), to = Integer.parseInt(part.substring(dash + 1));
                    if (to < from) throw new NumberFormatException("descending range " + part);
                    count += to - from + 1;
                }
            }
        } catch (NumberFormatException e) {
            throw new FormatException("malformed CPU list '" + list + "' in " + POSSIBLE, e);
        }
        if (count == 0) throw new FormatException("empty CPU list in " + POSSIBLE);
        return count;
    }

    private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    /** The CPUs online now, from /sys/devices/system/cpu/online (read at every call: CPUs come and go). */
    public static int[] online() {
        String list;
        try {
            list = Files.readString(ONLINE).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ONLINE, e);
        }
        return parseList(list);
    }

    /** The CPUs in a kernel cpu list such as "0-3,8", in order. */
    public static int[] parseList(String list) {
        int[] cpus = new int[parseCount(list)];
        int n = 0;
        for (String part : list.trim().split(",")) {
            if (part.isEmpty()) continue;
            int dash = part.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
            for (int c = from; c <= to; c++) cpus[n++] = c;
        }
        return cpus;
    }
}
