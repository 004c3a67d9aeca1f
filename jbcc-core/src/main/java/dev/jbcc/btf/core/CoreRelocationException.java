package dev.jbcc.btf.core;

import dev.jbcc.BpfException;

/**
 * A CO-RE relocation that cannot be applied: its access string does not fit the object's BTF,
 * several kernel types give different answers, or the instruction it points at does not hold
 * the value the compiler computed. A field or type that is merely missing in the kernel is not
 * an error: that instruction is poisoned instead (see {@link CoreInstructions}).
 */
public final class CoreRelocationException extends BpfException {
    public CoreRelocationException(String message) {
        super(message);
    }

    public CoreRelocationException(String message, Throwable cause) {
        super(message, cause);
    }
}
