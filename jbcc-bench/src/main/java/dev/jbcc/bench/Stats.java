package dev.jbcc.bench;

import java.util.Arrays;
import java.util.Locale;

/** Medians and the {@code name: java=… c=… ratio=…} lines every section prints. */
public final class Stats {
    private Stats() {}

    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** A figure with its ratio java/c. */
    public static String line(String name, double java, double c) {
        return String.format(Locale.ROOT, "%s: java=%s c=%s ratio=%.2f", name, format(java), format(c), java / c);
    }

    /** A figure where a ratio means nothing (counts that may be zero). */
    public static String lineNoRatio(String name, double java, double c) {
        return String.format(Locale.ROOT, "%s: java=%s c=%s", name, format(java), format(c));
    }

    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.format(Locale.ROOT, "%d", (long) v);
        if (Math.abs(v) >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (Math.abs(v) >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
