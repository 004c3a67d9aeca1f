package dev.jbcc.errors;


/**
 * A CO-RE relocation that cannot be applied: the object's relocation does not fit its instruction
 * or its local BTF, or the target BTF offers several candidate types that disagree. (A field or
 * type the target simply lacks is no error: the instruction is poisoned, see {@link CoreFixup}.)
 */
public final class CoreRelocationException extends BpfException {
    public CoreRelocationException(String message) {
        super(message);
    }

    public CoreRelocationException(String message, Throwable cause) {
        super(message, cause);
    }

    /** This exception with {@code context} (e.g. program and instruction) in front of its message. */
    public CoreRelocationException in(String context) {
        return new CoreRelocationException(context + ": " + getMessage(), this);
    }
}
