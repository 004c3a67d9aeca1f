package dev.jbcc.tools.cpu;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/** Reading bcc's histogram text in the tests. */
final class Histograms {
    private static final Pattern ROW = Pattern.compile("^\\s*(\\d+) -> (\\d+)\\s*: (\\d+)\\s*\\|", Pattern.MULTILINE);

    private Histograms() {
    }

    /** The rows of the section headed {@code header} (e.g. {@code tid = 123}), up to the next section. */
    static String section(String out, String header) {
        int at = out.indexOf("\n" + header + "\n");
        if (at < 0) fail("no section " + header + " in:\n" + out);
        int from = at + header.length() + 2;
        int next = out.indexOf(" = ", from);
        int end = next < 0 ? out.length() : out.lastIndexOf('\n', next);
        return out.substring(from, Math.max(from, end));
    }

    /** The sum of the counts of the rows. */
    static long total(String rows) {
        return countFrom(rows, 0);
    }

    /** The sum of the counts of the rows whose range starts at {@code low} or above. */
    static long countFrom(String rows, long low) {
        long total = 0;
        Matcher m = ROW.matcher(rows);
        while (m.find()) if (Long.parseLong(m.group(1)) >= low) total += Long.parseLong(m.group(3));
        return total;
    }
}
