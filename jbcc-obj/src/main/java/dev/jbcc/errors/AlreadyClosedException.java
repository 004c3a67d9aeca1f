package dev.jbcc.errors;

/**
 * An event reader (ring buffer, perf buffer, trace_pipe) was used after {@code close()}, or was
 * closed by another thread while this one was polling it. Not a kernel error: the object's owner
 * decided to stop, and the polling loop should end.
 */
public final class AlreadyClosedException extends IllegalStateException {
    public AlreadyClosedException(String message) {
        super(message);
    }

    public AlreadyClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
