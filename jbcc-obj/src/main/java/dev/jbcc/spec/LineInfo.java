package dev.jbcc.spec;

/**
 * A {@code bpf_line_info} record from {@code .BTF.ext}: the source line an instruction came from.
 *
 * <p>The strings are kept as text, not as offsets into a string table: {@link CollectionSpec#btf()}
 * is re-encoded (DataSec sizes filled in), so a loader takes the offsets from the BTF blob it
 * actually loads.
 *
 * @param instructionOffset the instruction's slot, counted from the start of its program
 * @param fileName          the source file name
 * @param source            the line's text
 * @param line              line number (the kernel keeps 22 bits)
 * @param column            column number (10 bits, 0 if unknown)
 */
public record LineInfo(int instructionOffset, String fileName, String source, int line, int column) {
    /** The kernel's packed {@code line_col}: line in the upper 22 bits, column in the lower 10. */
    public int lineColumn() {
        return (line << 10) | (column & 0x3ff);
    }
}
