package dev.jbcc.bcc;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Histogram text in bcc's exact layout: the header, one row per slot with
 * {@code low -> high : count |stars|}, 40 stars wide (20 with the wide layout used once a slot
 * above 32 is set), and for struct keys a {@code "\nheader = section"} line before each section.
 */
public final class Histogram {
    /** Log2 histograms have 65 slots: slot 0 for zero, slot i for [2^(i-1), 2^i - 1]. */
    public static final int LOG2_SLOTS = 65;
    /** Linear histograms have 1025 slots. */
    public static final int LINEAR_SLOTS = 1025;
    static final int STARS_MAX = 40;

    private Histogram() {}

    /**
     * How to print.
     *
     * @param valType          the value column's header ("value", "usecs", ...)
     * @param sectionHeader    the label of each section of a struct-keyed histogram
     * @param sectionPrintFn   formats a section's value; null prints it as Python's {@code %r} would
     * @param bucketFn         maps a section value before grouping; null for none
     * @param stripLeadingZero omit the rows before the first non-zero one
     * @param bucketSortFn     orders the sections; null keeps the order the table gave them
     */
    public record Options(String valType, String sectionHeader, Function<Object, String> sectionPrintFn,
                          UnaryOperator<Object> bucketFn, boolean stripLeadingZero,
                          UnaryOperator<List<Object>> bucketSortFn) {
        public static Options defaults() {
            return new Options("value", "Bucket ptr", null, null, false, null);
        }

        public Options withValType(String valType) {
            return new Options(valType, sectionHeader, sectionPrintFn, bucketFn, stripLeadingZero, bucketSortFn);
        }

        public Options withSection(String sectionHeader, Function<Object, String> sectionPrintFn) {
            return new Options(valType, sectionHeader, sectionPrintFn, bucketFn, stripLeadingZero, bucketSortFn);
        }

        public Options withBucketFn(UnaryOperator<Object> bucketFn) {
            return new Options(valType, sectionHeader, sectionPrintFn, bucketFn, stripLeadingZero, bucketSortFn);
        }

        public Options withStripLeadingZero(boolean strip) {
            return new Options(valType, sectionHeader, sectionPrintFn, bucketFn, strip, bucketSortFn);
        }

        public Options withBucketSort(UnaryOperator<List<Object>> bucketSortFn) {
            return new Options(valType, sectionHeader, sectionPrintFn, bucketFn, stripLeadingZero, bucketSortFn);
        }
    }

    /** {@code table} as bcc's {@code print_log2_hist} prints it. */
    public static String log2(KeyedTable<?> table, Options options) {
        return render(table.histogramSlots(LOG2_SLOTS, options.bucketFn()), options, true);
    }

    /** {@code table} as bcc's {@code print_linear_hist} prints it. */
    public static String linear(KeyedTable<?> table, Options options) {
        return render(table.histogramSlots(LINEAR_SLOTS, options.bucketFn()), options, false);
    }

    /** {@code table}, a log2 histogram, as bcc's {@code print_json_hist} prints it: one JSON object per line and section. */
    public static String json(KeyedTable<?> table, Options options) {
        return json(table, options, true);
    }

    /**
     * {@code table}, a linear histogram, in the JSON form of {@link #json}: {@code data} has a
     * {@code value} and {@code count} per slot up to the last non-zero one.
     */
    public static String linearJson(KeyedTable<?> table, Options options) {
        return json(table, options, false);
    }

    private static String json(KeyedTable<?> table, Options options, boolean log2) {
        Map<Object, long[]> sections = table.histogramSlots(log2 ? LOG2_SLOTS : LINEAR_SLOTS, options.bucketFn());
        String ts = LocalDateTime.now().format(TIMESTAMP);
        StringBuilder out = new StringBuilder();
        if (sections.size() == 1 && sections.containsKey(null)) {
            jsonLine(out, sections.get(null), options.valType(), ts, null, null, log2);
            return out.toString();
        }
        List<Object> buckets = new ArrayList<>(sections.keySet());
        if (options.bucketSortFn() != null) buckets = options.bucketSortFn().apply(buckets);
        for (Object bucket : buckets) {
            Object shown = options.sectionPrintFn() != null ? options.sectionPrintFn().apply(bucket) : bucket;
            jsonLine(out, sections.get(bucket), options.valType(), ts, options.sectionHeader(), shown, log2);
        }
        return out.toString();
    }

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /**
     * One histogram as a JSON object on one line, with the fields of bcc's {@code _get_json_hist}:
     * {@code ts}, {@code val_type}, {@code data} (for slots 1 up to the last non-zero one:
     * {@code interval-start}, {@code interval-end}, {@code count}; slot 1 starts at 0, slot 0 is
     * left out as bcc leaves it out) and, for a section, the section header's field. bcc prints
     * Python's repr of that dict; this prints it as JSON, which JSON readers accept.
     */
    public static String jsonText(long[] vals, String valType, String sectionHeader, Object section) {
        StringBuilder out = new StringBuilder();
        jsonLine(out, vals, valType, LocalDateTime.now().format(TIMESTAMP), sectionHeader, section, true);
        return out.toString();
    }

    private static void jsonLine(StringBuilder out, long[] vals, String valType, String ts, String sectionHeader, Object section,
                                 boolean log2) {
        int maxNonZero = 0;
        for (int i = 0; i < vals.length; i++) if (vals[i] != 0) maxNonZero = i;
        out.append("{\"ts\": ").append(jsonString(ts)).append(", \"val_type\": ").append(jsonString(valType))
                .append(", \"data\": [");
        for (int i = 0; !log2 && i <= maxNonZero; i++) {
            if (i > 0) out.append(", ");
            out.append("{\"value\": ").append(i).append(", \"count\": ").append(Long.toUnsignedString(vals[i])).append('}');
        }
        long prev = 0;
        for (int i = 1; log2 && i <= maxNonZero; i++) {
            // Slot i ends at 2^i - 1 (unsigned for slot 64) and starts where slot i - 1 ended.
            long end = i == 64 ? -1L : (1L << i) - 1;
            if (i > 1) out.append(", ");
            out.append("{\"interval-start\": ").append(Long.toUnsignedString(prev))
                    .append(", \"interval-end\": ").append(Long.toUnsignedString(end))
                    .append(", \"count\": ").append(Long.toUnsignedString(vals[i])).append('}');
            prev = end + 1;
        }
        out.append(']');
        if (sectionHeader != null) out.append(", ").append(jsonString(sectionHeader)).append(": ").append(jsonValue(section));
        out.append("}\n");
    }

    private static String jsonValue(Object o) {
        if (o == null) return "null";
        if (o instanceof Number || o instanceof Boolean) return o.toString();
        return jsonString(o.toString());
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    private static String render(Map<Object, long[]> sections, Options options, boolean log2) {
        StringBuilder out = new StringBuilder();
        if (sections.size() == 1 && sections.containsKey(null)) {
            long[] slots = sections.get(null);
            if (log2) log2Text(out, slots, options.valType(), options.stripLeadingZero());
            else linearText(out, slots, options.valType(), options.stripLeadingZero());
            return out.toString();
        }
        List<Object> buckets = new ArrayList<>(sections.keySet());
        if (options.bucketSortFn() != null) buckets = options.bucketSortFn().apply(buckets);
        for (Object bucket : buckets) {
            String shown = options.sectionPrintFn() != null ? options.sectionPrintFn().apply(bucket) : repr(bucket);
            out.append('\n').append(options.sectionHeader()).append(" = ").append(shown).append('\n');
            if (log2) log2Text(out, sections.get(bucket), options.valType(), options.stripLeadingZero());
            else linearText(out, sections.get(bucket), options.valType(), options.stripLeadingZero());
        }
        return out.toString();
    }

    /** Python's {@code %r}: numbers as they are, char arrays as bytes literals. */
    static String repr(Object o) {
        return o instanceof String s ? Value.pythonBytes(s) : String.valueOf(o);
    }

    /** The rows bcc's {@code _print_log2_hist} prints for these 65 slot counts. */
    public static String log2Text(long[] vals, String valType, boolean stripLeadingZero) {
        StringBuilder out = new StringBuilder();
        log2Text(out, vals, valType, stripLeadingZero);
        return out.toString();
    }

    private static void log2Text(StringBuilder out, long[] vals, String valType, boolean stripLeadingZero) {
        int idxMax = -1;
        long valMax = 0;
        for (int i = 0; i < vals.length; i++) {
            if (vals[i] > 0) idxMax = i;
            if (vals[i] > valMax) valMax = vals[i];
        }
        boolean narrow = idxMax <= 32;
        int stars = narrow ? STARS_MAX : STARS_MAX / 2;
        if (idxMax > 0) {
            out.append(narrow ? String.format("     %-19s : count     distribution", valType)
                    : String.format("               %-29s : count     distribution", valType)).append('\n');
        }
        boolean strip = stripLeadingZero;
        for (int i = 1; i <= idxMax; i++) {
            // Slot i holds [2^(i-1), 2^i - 1]; slot 1 is shown as 0 -> 1. Slot 64 overflows a signed long, so
            // its bounds are printed unsigned.
            long low = (1L << i) >>> 1;
            long high = i == 64 ? -1L : (1L << i) - 1;
            if (low == high) low -= 1;
            long val = vals[i];
            if (strip) {
                if (val == 0) continue;
                strip = false;
            }
            String lowText = Long.toUnsignedString(low);
            String highText = Long.toUnsignedString(high);
            if (narrow) out.append(String.format("%10s -> %-10s : %-8d |%-" + stars + "s|", lowText, highText, val, stars(val, valMax, stars)));
            else out.append(String.format("%20s -> %-20s : %-8d |%-" + stars + "s|", lowText, highText, val, stars(val, valMax, stars)));
            out.append('\n');
        }
    }

    /** The rows bcc's {@code _print_linear_hist} prints for these slot counts. */
    public static String linearText(long[] vals, String valType, boolean stripLeadingZero) {
        StringBuilder out = new StringBuilder();
        linearText(out, vals, valType, stripLeadingZero);
        return out.toString();
    }

    private static void linearText(StringBuilder out, long[] vals, String valType, boolean stripLeadingZero) {
        int idxMax = -1;
        long valMax = 0;
        for (int i = 0; i < vals.length; i++) {
            if (vals[i] > 0) idxMax = i;
            if (vals[i] > valMax) valMax = vals[i];
        }
        if (idxMax >= 0) out.append(String.format("     %-13s : count     distribution", valType)).append('\n');
        boolean strip = stripLeadingZero;
        for (int i = 0; i <= idxMax; i++) {
            long val = vals[i];
            if (strip) {
                if (val == 0) continue;
                strip = false;
            }
            out.append(String.format("        %-10d : %-8d |%-" + STARS_MAX + "s|", i, val, stars(val, valMax, STARS_MAX))).append('\n');
        }
    }

    /**
     * bcc's {@code _stars}: {@code min(floor(width * val / max), width)} stars, the last one a
     * {@code +} if the value exceeds the maximum (which it never does here).
     */
    static String stars(long val, long valMax, int width) {
        if (valMax == 0) return "";
        // Python divides the exact product by the maximum, correctly rounded; below 2^53 so does this.
        double ratio = (double) Math.multiplyExact((long) width, val) / valMax;
        int n = 0;
        while (!(n > ratio - 1) && !(n > width - 1)) n++;
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append('*');
        if (val > valMax && n > 0) sb.setCharAt(n - 1, '+');
        return sb.toString();
    }
}
