package dev.jbcc.usdt;

import java.util.Objects;

/**
 * One argument of a USDT site, parsed from its {@code [-]N@operand} spec (x86-64 AT&amp;T syntax).
 *
 * @param size     the value's size in bytes: 1, 2, 4 or 8
 * @param signed   true when the spec's size is negative: the value is sign-extended to 64 bits
 * @param location where the value is at the site
 * @param spec     the spec as written in the note, e.g. {@code -4@-20(%rbp)}
 */
public record UsdtArgument(int size, boolean signed, Location location, String spec) {
    public UsdtArgument {
        if (size != 1 && size != 2 && size != 4 && size != 8) throw new IllegalArgumentException("size " + size);
        Objects.requireNonNull(location, "location");
    }

    /** Where an argument's value is. */
    public sealed interface Location {}

    /** An immediate ({@code $-9}). */
    public record Constant(long value) implements Location {}

    /** A register's value ({@code %rdi}, {@code %r14d}, {@code %al}). */
    public record Register(X86Register register) implements Location {}

    /**
     * A value in user memory at {@code base + index * scale + displacement}
     * ({@code -64(%rbp)}, {@code 8(%rax,%rcx,4)}). A rip-relative operand ({@code sym+8(%rip)})
     * has base {@code %rip} and a displacement already made relative to the site's address, so
     * that {@code ip + displacement} is the symbol's run-time address wherever the file is loaded.
     *
     * @param base         the base register, or null for none
     * @param index        the index register, or null for none
     * @param scale        1, 2, 4 or 8 (1 without index)
     * @param displacement the constant added
     * @param symbol       for rip-relative operands, the symbol named (for messages), else null
     */
    public record Memory(X86Register base, X86Register index, int scale, long displacement, String symbol)
            implements Location {}

    /** How many bits of the register the value uses, when its location is a register. */
    int effectiveRegisterSize() {
        return location instanceof Register r ? Math.min(size, r.register().size()) : size;
    }

    @Override
    public String toString() {
        return spec;
    }
}
