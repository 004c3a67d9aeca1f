package dev.jbcc.errors;

/**
 * Something the caller named does not exist: a library, a symbol in a binary, a USDT probe, a
 * process. The message says what was searched, and where, so that a typo is easy to spot.
 */
public final class NotFoundException extends BpfException {
    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
