package dev.jbcc.symbols;

/**
 * An address with the symbol it falls in.
 *
 * @param address the address that was resolved
 * @param symbol  the enclosing symbol's name, or null when no symbol covers the address
 * @param offset  {@code address} minus the symbol's start (0 when unknown)
 * @param module  the kernel module ({@code "vmlinux"} for the core kernel) or user file the address
 *                belongs to, or null when not even that is known
 */
public record ResolvedAddress(long address, String symbol, long offset, String module) {
    public static ResolvedAddress unknown(long address, String module) {
        return new ResolvedAddress(address, null, 0, module);
    }

    public boolean isKnown() {
        return symbol != null;
    }

    /** {@code symbol+0x1f [module]}, or the hex address when unknown, as perf and bcc print frames. */
    @Override
    public String toString() {
        var sb = new StringBuilder();
        if (symbol == null) sb.append("0x").append(Long.toHexString(address));
        else {
            sb.append(symbol);
            if (offset != 0) sb.append("+0x").append(Long.toHexString(offset));
        }
        if (module != null) sb.append(" [").append(module).append(']');
        return sb.toString();
    }
}
