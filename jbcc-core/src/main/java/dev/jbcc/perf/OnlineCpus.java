package dev.jbcc.perf;

import dev.jbcc.errors.FormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The CPUs that are online now ({@code /sys/devices/system/cpu/online}): a perf event can only
 * be opened on those. Read at each open, since CPUs come and go.
 */
public final class OnlineCpus {
    private OnlineCpus() {}

    private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    /** The online CPU numbers, ascending. */
    public static int[] read() {
        return parse(text());
    }

    static String text() {
        try {
            return Files.readString(ONLINE).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ONLINE + " to find the online CPUs", e);
        }
    }

    /** The online CPUs numbered below {@code limit} (a perf event array's max_entries). */
    static int[] below(int limit) {
        return Arrays.stream(read()).filter(cpu -> Integer.compareUnsigned(cpu, limit) < 0).toArray();
    }

    /**
     * Parses a kernel CPU list such as {@code "0-3,8,10-11"} into ascending CPU numbers.
     *
     * @throws FormatException if the list is malformed or empty
     */
    public static int[] parse(String list) {
        IntStream.Builder cpus = IntStream.builder();
        try {
            for (String part : list.trim().split(",")) {
                if (part.isEmpty()) continue;
                int dash = part.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
                if (from < 0 || to < from) throw new NumberFormatException("bad range " + part);
                for (int cpu = from; cpu <= to; cpu++) cpus.add(cpu);
            }
        } catch (NumberFormatException e) {
            throw new FormatException("malformed CPU list '" + list + "' (expected e.g. 0-3,8)", e);
        }
        int[] result = cpus.build().sorted().distinct().toArray();
        if (result.length == 0) throw new FormatException("empty CPU list '" + list + "'");
        return result;
    }
}
