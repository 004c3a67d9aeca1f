package dev.jbcc.asm;

/** The eBPF registers: R0 return value, R1-R5 arguments, R6-R9 callee-saved, R10 read-only frame pointer. */
public enum Register {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

    /** The frame pointer. */
    public static final Register FP = R10;

    public int number() {
        return ordinal();
    }

    public static Register of(int number) {
        if (number < 0 || number > 10) throw new IllegalArgumentException("no register r" + number);
        return values()[number];
    }
}
