package dev.jbcc.errors;

/**
 * The kernel verifier rejected a program. The message holds the decisive lines of the log and
 * the C source line they point at; {@link #log()} has the full verifier log.
 */
public final class VerifierException extends BpfException {
    private final String log;
    private final int errno;

    public VerifierException(String message, String log, int errno) {
        super(message);
        this.log = log;
        this.errno = errno;
    }

    public String log() {
        return log;
    }

    public int errno() {
        return errno;
    }
}
