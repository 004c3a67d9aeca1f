package dev.jbcc.errors;

/**
 * Root of every error jbcc raises. Each subtype's message names the cause and, where one exists,
 * the fix; callers that care about the cause switch over the sealed set.
 */
public sealed abstract class BpfException extends RuntimeException
        permits SyscallException, VerifierException, UnsupportedFeatureException, FormatException,
                CompileException, FileAccessException, NotFoundException, CoreRelocationException, PinException {
    protected BpfException(String message) {
        super(message);
    }

    protected BpfException(String message, Throwable cause) {
        super(message, cause);
    }
}
