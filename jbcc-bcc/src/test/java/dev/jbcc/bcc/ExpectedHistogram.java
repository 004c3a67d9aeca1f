package dev.jbcc.bcc;

/**
 * bcc's table.py histogram formulas, written out again for the tests from the Python's
 * definitions (header strings, %-widths, the star loop), independently of {@link Histogram}.
 */
final class ExpectedHistogram {
    private ExpectedHistogram() {}

    static String log2(long[] vals, String valType) {
        int idxMax = -1;
        long valMax = 0;
        for (int i = 0; i < vals.length; i++) {
            if (vals[i] > 0) idxMax = i;
            valMax = Math.max(valMax, vals[i]);
        }
        StringBuilder out = new StringBuilder();
        boolean wide = idxMax > 32;
        int stars = wide ? 20 : 40;
        if (idxMax > 0) {
            String label = pad(valType, wide ? 29 : 19);
            out.append(wide ? "               " : "     ").append(label).append(" : count     distribution\n");
        }
        for (int i = 1; i <= idxMax; i++) {
            long low = (1L << i) >> 1;
            long high = (1L << i) - 1;
            if (low == high) low -= 1;
            int w = wide ? 20 : 10;
            out.append(leftPad(Long.toString(low), w)).append(" -> ").append(pad(Long.toString(high), w))
                    .append(" : ").append(pad(Long.toString(vals[i]), 8)).append(" |")
                    .append(pad(starText(vals[i], valMax, stars), stars)).append("|\n");
        }
        return out.toString();
    }

    static String linear(long[] vals, String valType) {
        int idxMax = -1;
        long valMax = 0;
        for (int i = 0; i < vals.length; i++) {
            if (vals[i] > 0) idxMax = i;
            valMax = Math.max(valMax, vals[i]);
        }
        StringBuilder out = new StringBuilder();
        if (idxMax >= 0) out.append("     ").append(pad(valType, 13)).append(" : count     distribution\n");
        for (int i = 0; i <= idxMax; i++) {
            out.append("        ").append(pad(Integer.toString(i), 10)).append(" : ").append(pad(Long.toString(vals[i]), 8))
                    .append(" |").append(pad(starText(vals[i], valMax, 40), 40)).append("|\n");
        }
        return out.toString();
    }

    /** {@code while not (i > width*val/max - 1 or i > width - 1): text += "*"}. */
    private static String starText(long val, long max, int width) {
        StringBuilder s = new StringBuilder();
        int i = 0;
        while (!(i > (double) width * val / max - 1 || i > width - 1)) {
            s.append('*');
            i++;
        }
        return s.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String leftPad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
