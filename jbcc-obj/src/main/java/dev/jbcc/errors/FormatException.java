package dev.jbcc.errors;

/** Malformed input: an ELF object, BTF blob or tracefs file that does not parse. */
public final class FormatException extends BpfException {
    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
