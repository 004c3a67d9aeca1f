package dev.jbcc.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tool's event columns, declared once: one printf line for the values (bcc's own), and a name per
 * conversion. The header is the same line with each conversion printed as a string of the same
 * width and alignment, so header and rows cannot drift apart. Under {@code --json} each row is an
 * object whose keys are the names in lower case ({@code PCOMM} → {@code "pcomm"}, {@code LAT(ms)}
 * → {@code "lat_ms"}).
 *
 * <pre>{@code
 * static final Columns COLUMNS = Columns.of("%-16s %-7d %-7d %3d %s", "PCOMM", "PID", "PPID", "RET", "ARGS");
 * }</pre>
 */
public final class Columns {
    private static final Pattern CONVERSION = Pattern.compile("%([-#+ 0,(]*)(\\d*)(\\.\\d+)?([a-zA-Z%])");

    private final String format;
    private final String headerFormat;
    private final List<String> names;
    private final List<String> keys;

    private Columns(String format, String headerFormat, List<String> names) {
        this.format = format;
        this.headerFormat = headerFormat;
        this.names = List.copyOf(names);
        this.keys = names.stream().map(Columns::key).toList();
    }

    /**
     * Columns printed with {@code format}, one name per conversion.
     *
     * @throws IllegalArgumentException when the names and conversions do not pair up
     */
    public static Columns of(String format, String... names) {
        Matcher m = CONVERSION.matcher(format);
        StringBuilder header = new StringBuilder();
        int conversions = 0;
        while (m.find()) {
            if (m.group(4).equals("%")) {
                m.appendReplacement(header, "%%");
                continue;
            }
            conversions++;
            String align = m.group(1).contains("-") ? "-" : "";
            m.appendReplacement(header, Matcher.quoteReplacement("%" + align + m.group(2) + "s"));
        }
        m.appendTail(header);
        if (conversions != names.length) {
            throw new IllegalArgumentException(format + " has " + conversions + " conversions for " + names.length + " names");
        }
        return new Columns(format, header.toString(), List.of(names));
    }

    /** The header line. */
    public String header() {
        return String.format(Locale.ROOT, headerFormat, names.toArray());
    }

    /** One row as text. */
    public String row(Object... values) {
        return String.format(Locale.ROOT, format, values);
    }

    /** The JSON keys, in column order. */
    public List<String> keys() {
        return keys;
    }

    /** The column names, in order. */
    public List<String> names() {
        return names;
    }

    /** {@code LAT(ms)} → {@code lat_ms}: lower case, runs of other characters as one underscore. */
    static String key(String name) {
        String k = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        k = k.replaceAll("^_+|_+$", "");
        return k.isEmpty() ? "value" : k;
    }

    /** The names with a column added in front, as the -T/-t options of many tools do. */
    public Columns prepend(String format, String name) {
        List<String> n = new ArrayList<>(names.size() + 1);
        n.add(name);
        n.addAll(names);
        return of(format + this.format, n.toArray(String[]::new));
    }

    /** The names with a column added at the end, as options such as drsnoop's -v do. */
    public Columns append(String format, String name) {
        List<String> n = new ArrayList<>(names);
        n.add(name);
        return of(this.format + format, n.toArray(String[]::new));
    }
}
