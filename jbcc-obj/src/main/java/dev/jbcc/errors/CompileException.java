package dev.jbcc.errors;

/** clang rejected a C program; the message carries its diagnostics with file:line. */
public final class CompileException extends BpfException {
    private final String diagnostics;

    public CompileException(String message, String diagnostics) {
        super(message);
        this.diagnostics = diagnostics;
    }

    /** The compiler's full output. */
    public String diagnostics() {
        return diagnostics;
    }
}
