package dev.jbcc.link;

import java.util.List;
import java.util.Objects;

/**
 * The functions one {@code kprobe_multi} link probes (5.18+, needs CONFIG_FPROBE).
 *
 * @param symbols  the kernel functions, or empty when {@code pattern} is used
 * @param pattern  a glob ({@code *} and {@code ?}) over traceable kernel functions, e.g. {@code "tcp_v4_*"}, or null
 * @param retprobe probe returns instead of entries
 * @param cookies  one {@code bpf_get_attach_cookie} value per symbol, or empty
 */
public record KprobeMultiOptions(List<String> symbols, String pattern, boolean retprobe, List<Long> cookies) {
    public KprobeMultiOptions {
        symbols = List.copyOf(symbols);
        cookies = List.copyOf(cookies);
        if (symbols.isEmpty() == (pattern == null)) {
            throw new IllegalArgumentException("give symbols or a pattern (exactly one)");
        }
        if (!cookies.isEmpty() && cookies.size() != symbols.size()) {
            throw new IllegalArgumentException(cookies.size() + " cookies for " + symbols.size() + " symbols");
        }
    }

    public static KprobeMultiOptions symbols(String... functions) {
        return new KprobeMultiOptions(List.of(functions), null, false, List.of());
    }

    public static KprobeMultiOptions pattern(String glob) {
        return new KprobeMultiOptions(List.of(), Objects.requireNonNull(glob, "glob"), false, List.of());
    }

    public KprobeMultiOptions asRetprobe() {
        return new KprobeMultiOptions(symbols, pattern, true, cookies);
    }

    public KprobeMultiOptions withCookies(List<Long> cookies) {
        return new KprobeMultiOptions(symbols, pattern, retprobe, cookies);
    }
}
