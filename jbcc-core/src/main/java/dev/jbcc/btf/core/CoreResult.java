package dev.jbcc.btf.core;

import dev.jbcc.btf.CoreReloKind;

import java.util.Objects;

/**
 * What one CO-RE relocation resolved to: the value the compiler put into the instruction (computed
 * from the object's BTF) and the value the kernel needs, or that the instruction must be poisoned.
 * {@link CoreInstructions#apply} writes it into the code.
 *
 * @param kind             what the instruction asks for
 * @param localTypeId      the root type id in the object's BTF
 * @param accessString     the access string from {@code .BTF.ext}
 * @param local            the access in C terms on the object's types, e.g. {@code struct task_struct___local.pid}
 * @param target           the same on the kernel's types, e.g. {@code struct task_struct.pid}; null if nothing matched
 * @param localValue       the value computed on the object's BTF, which the instruction must hold
 * @param targetValue      the value to write (0 when nothing matched and the kind does not poison)
 * @param poisoned         the field, type or enumerator is missing in the kernel and the kind needs it:
 *                         the instruction becomes a call to an invalid helper (see {@link CoreInstructions})
 * @param checkLocalValue  whether {@link #localValue} can be checked against the instruction (not for
 *                         bitfield offsets, which the compiler may compute differently, nor type ids)
 * @param localSize        for {@code FIELD_BYTE_OFFSET} of a non-bitfield: the field's size in the object, else 0
 * @param targetSize       the same in the kernel; a load or store of the field takes this size
 * @param resize           whether a load/store of the field may change to {@link #targetSize}
 * @param targetTypeId     the matched kernel root type id (in vmlinux or a module), 0 if none
 * @param reason           for a poisoned result or a missing target: why, in words; else null
 */
public record CoreResult(CoreReloKind kind, int localTypeId, String accessString, String local, String target,
                         long localValue, long targetValue, boolean poisoned, boolean checkLocalValue,
                         int localSize, int targetSize, Resize resize, int targetTypeId, String reason) {

    /** Whether a load or store of a field may change its memory size, and how. */
    public enum Resize {
        /** The sizes agree, or the relocation is not a field offset: nothing to change. */
        NOT_NEEDED,
        /** Pointers or unsigned integers on both sides: zero extension keeps the value. */
        ZERO_EXTENDING,
        /**
         * Signed integers on both sides: a load keeps the sign with a sign-extending load
         * ({@code BPF_MEMSX}, Linux 6.6) for a narrower kernel field; stores cannot be resized.
         */
        SIGN_EXTENDING,
        /** Different kinds or signedness: a load or store of the field would read a wrong value. */
        FORBIDDEN
    }

    public CoreResult {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(accessString, "accessString");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(resize, "resize");
    }

    /** Whether a kernel type (and, for fields and enumerators, the member) matched. */
    public boolean found() {
        return target != null;
    }

    /**
     * One line for logs and errors, e.g. {@code FIELD_BYTE_OFFSET struct task_struct___local.pid → struct
     * task_struct.pid: 4 → 2344}.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder(kind.name()).append(' ').append(local);
        if (target != null && !target.equals(local)) sb.append(" → ").append(target);
        if (poisoned) {
            sb.append(": poisoned");
        } else {
            sb.append(": ").append(localValue).append(" → ").append(targetValue);
        }
        if (reason != null) sb.append(" (").append(reason).append(')');
        return sb.toString();
    }
}
