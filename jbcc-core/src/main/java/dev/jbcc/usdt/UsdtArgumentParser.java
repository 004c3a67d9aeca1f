package dev.jbcc.usdt;

import java.util.ArrayList;
import java.util.List;

/** Parses x86-64 USDT argument specs: {@code [-]N@operand}, separated by spaces. */
final class UsdtArgumentParser {
    private UsdtArgumentParser() {}

    static List<UsdtArgument> parseAll(String text, long siteAddress, Usdt.SymbolLookup symbols) {
        List<UsdtArgument> result = new ArrayList<>();
        for (String spec : text.trim().split("\\s+")) {
            if (!spec.isEmpty()) result.add(parse(spec, siteAddress, symbols));
        }
        return result;
    }

    /**
     * @param siteAddress the site's virtual address, to make rip-relative operands site-relative
     * @throws IllegalArgumentException naming the part of {@code spec} that does not parse
     */
    static UsdtArgument parse(String spec, long siteAddress, Usdt.SymbolLookup symbols) {
        int at = spec.indexOf('@');
        int size = 8;
        boolean signed = false;
        String operand = spec;
        if (at >= 0) {
            int n;
            try {
                n = Integer.parseInt(spec.substring(0, at));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + spec + "': size '" + spec.substring(0, at) + "' is not a number");
            }
            signed = n < 0;
            size = Math.abs(n);
            if (size != 1 && size != 2 && size != 4 && size != 8) {
                throw new IllegalArgumentException("'" + spec + "': size " + size + " is not 1, 2, 4 or 8");
            }
            operand = spec.substring(at + 1);
        }
        return new UsdtArgument(size, signed, location(operand, spec, siteAddress, symbols), spec);
    }

    private static UsdtArgument.Location location(String operand, String spec, long siteAddress, Usdt.SymbolLookup symbols) {
        if (operand.startsWith("$")) {
            return new UsdtArgument.Constant(number(operand.substring(1), spec));
        }
        if (operand.startsWith("%")) {
            return new UsdtArgument.Register(register(operand, spec));
        }
        int open = operand.indexOf('(');
        if (open < 0 || !operand.endsWith(")")) {
            throw new IllegalArgumentException("'" + spec + "': operand '" + operand
                    + "' is not $imm, %reg or disp(%base[,%index[,scale]]) (absolute addresses are not supported)");
        }
        String displacementText = operand.substring(0, open);
        String[] parts = operand.substring(open + 1, operand.length() - 1).split(",", -1);
        if (parts.length > 3) throw new IllegalArgumentException("'" + spec + "': too many parts in '" + operand + "'");
        X86Register base = parts[0].isBlank() ? null : register(parts[0].trim(), spec);
        X86Register index = parts.length > 1 && !parts[1].isBlank() ? register(parts[1].trim(), spec) : null;
        int scale = 1;
        if (parts.length > 2) {
            scale = (int) number(parts[2].trim(), spec);
            if (scale != 1 && scale != 2 && scale != 4 && scale != 8) {
                throw new IllegalArgumentException("'" + spec + "': scale " + scale + " is not 1, 2, 4 or 8");
            }
        }
        if (base == null && index == null) throw new IllegalArgumentException("'" + spec + "': no register in '" + operand + "'");
        if (base != null && base.size() != 8 || index != null && index.size() != 8) {
            throw new IllegalArgumentException("'" + spec + "': address registers must be 64-bit");
        }
        String symbol = null;
        long displacement;
        if (displacementText.isEmpty()) {
            displacement = 0;
        } else if (isNumber(displacementText)) {
            displacement = number(displacementText, spec);
        } else {
            // sym, sym+off or sym-off: only meaningful rip-relative, where the linker fixed the distance.
            int split = Math.max(displacementText.lastIndexOf('+'), displacementText.lastIndexOf('-'));
            symbol = split > 0 ? displacementText.substring(0, split) : displacementText;
            long extra = split > 0 ? number(displacementText.substring(split), spec) : 0;
            displacement = symbols.address(symbol) + extra;
        }
        if (base != null && base.isInstructionPointer()) {
            if (index != null) throw new IllegalArgumentException("'" + spec + "': %rip cannot be combined with an index");
            // At the site, ip holds the site's run-time address: keep only the distance to the target.
            return new UsdtArgument.Memory(base, null, 1, displacement - siteAddress, symbol);
        }
        if (symbol != null) {
            throw new IllegalArgumentException("'" + spec + "': symbol '" + symbol + "' as displacement needs %rip as base");
        }
        return new UsdtArgument.Memory(base, index, index == null ? 1 : scale, displacement, null);
    }

    private static X86Register register(String text, String spec) {
        if (!text.startsWith("%")) throw new IllegalArgumentException("'" + spec + "': '" + text + "' is not a register");
        return X86Register.of(text.substring(1)).orElseThrow(() -> new IllegalArgumentException(
                "'" + spec + "': unknown x86-64 register " + text));
    }

    private static boolean isNumber(String text) {
        String t = text.startsWith("-") || text.startsWith("+") ? text.substring(1) : text;
        return !t.isEmpty() && Character.isDigit(t.charAt(0));
    }

    private static long number(String text, String spec) {
        try {
            String t = text.trim();
            boolean negative = t.startsWith("-");
            if (negative || t.startsWith("+")) t = t.substring(1);
            long value = t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16)
                    : Long.parseUnsignedLong(t);
            return negative ? -value : value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "': '" + text + "' is not a number");
        }
    }
}
