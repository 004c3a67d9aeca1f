package dev.jbcc.spec;

/**
 * A {@code bpf_line_info} record from {@code .BTF.ext}: the source line an instruction came from.
 * The string offsets index the object BTF's string table, as the kernel expects them.
 *
 * @param instructionOffset the instruction's slot, counted from the start of its program
 * @param fileNameOffset    BTF string offset of the source file name
 * @param lineOffset        BTF string offset of the source line's text
 * @param line              line number
 * @param column            column number
 * @param fileName          the file name, resolved
 * @param source            the line's text, resolved
 */
public record LineInfo(int instructionOffset, int fileNameOffset, int lineOffset, int line, int column,
                       String fileName, String source) {
    LineInfo shifted(int slots) {
        return new LineInfo(instructionOffset + slots, fileNameOffset, lineOffset, line, column, fileName, source);
    }

    /** The kernel's packed {@code line_col}: line in the upper 22 bits, column in the lower 10. */
    public int lineColumn() {
        return (line << 10) | (column & 0x3ff);
    }
}
