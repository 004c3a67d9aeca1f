package dev.jbcc.link;

import java.util.Objects;

/**
 * Where a {@link KprobeLink} probes the kernel, and how.
 *
 * @param symbol    the kernel function (e.g. {@code do_unlinkat}; for a syscall see
 *                  {@link Kprobes#syscallFunction(String)}), or null when probing an {@code address}
 * @param offset    bytes into {@code symbol} (entry probes only; must be an instruction boundary)
 * @param address   an absolute kernel address to probe instead of a symbol, or 0
 * @param retprobe  probe the function's return (kretprobe) instead of its entry
 * @param maxActive for kretprobes: how many concurrent calls can be tracked (0: the kernel's default);
 *                  only the tracefs interface takes it, so a non-zero value uses tracefs
 * @param cookie    a value for {@code bpf_get_attach_cookie} (5.15+), or 0
 * @param method    how to create the probe
 */
public record KprobeOptions(String symbol, long offset, long address, boolean retprobe, int maxActive, long cookie,
                            Method method) {
    /** How the kprobe is created. */
    public enum Method {
        /** The kprobe PMU (4.17+), else tracefs kprobe_events. */
        AUTO,
        /** Only the kprobe PMU. */
        PMU,
        /** Only tracefs kprobe_events (an event named after this process, removed on close). */
        TRACEFS
    }

    public KprobeOptions {
        Objects.requireNonNull(method, "method");
        if ((symbol == null) == (address == 0)) {
            throw new IllegalArgumentException("give a kernel function name or an address (exactly one)");
        }
        if (symbol != null && (symbol.isEmpty() || symbol.contains(" ") || symbol.contains(":"))) {
            throw new IllegalArgumentException("'" + symbol + "' is not a kernel function name");
        }
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0: " + offset);
        if (offset != 0 && retprobe) throw new IllegalArgumentException("a kretprobe takes no offset");
        if (maxActive < 0) throw new IllegalArgumentException("maxActive must be >= 0: " + maxActive);
        if (maxActive != 0 && !retprobe) throw new IllegalArgumentException("maxActive applies to kretprobes only");
        if (maxActive != 0 && method == Method.PMU) {
            throw new IllegalArgumentException("the kprobe PMU takes no maxActive; use Method.AUTO or TRACEFS");
        }
    }

    /** An entry probe on a kernel function. */
    public static KprobeOptions symbol(String function) {
        return new KprobeOptions(Objects.requireNonNull(function, "function"), 0, 0, false, 0, 0, Method.AUTO);
    }

    /** An entry probe at a kernel address. */
    public static KprobeOptions address(long address) {
        if (address == 0) throw new IllegalArgumentException("address 0");
        return new KprobeOptions(null, 0, address, false, 0, 0, Method.AUTO);
    }

    public KprobeOptions withOffset(long offset) {
        return new KprobeOptions(symbol, offset, address, retprobe, maxActive, cookie, method);
    }

    /** The return probe of the same function. */
    public KprobeOptions asRetprobe() {
        return new KprobeOptions(symbol, 0, address, true, maxActive, cookie, method);
    }

    public KprobeOptions withMaxActive(int maxActive) {
        return new KprobeOptions(symbol, offset, address, retprobe, maxActive, cookie, method);
    }

    public KprobeOptions withCookie(long cookie) {
        return new KprobeOptions(symbol, offset, address, retprobe, maxActive, cookie, method);
    }

    public KprobeOptions withMethod(Method method) {
        return new KprobeOptions(symbol, offset, address, retprobe, maxActive, cookie, method);
    }

    String describe() {
        String where = symbol != null ? symbol + (offset != 0 ? "+0x" + Long.toHexString(offset) : "")
                : "0x" + Long.toHexString(address);
        return (retprobe ? "kretprobe " : "kprobe ") + where;
    }
}
