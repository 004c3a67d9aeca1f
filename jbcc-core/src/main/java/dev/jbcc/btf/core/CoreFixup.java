package dev.jbcc.btf.core;

import java.util.Objects;

/**
 * A relocation as applied to a program's code: where, what it resolved to, and whether the
 * instruction was poisoned. Keep these for {@link CoreInstructions#explainPoison} in case the
 * verifier reaches a poisoned instruction.
 *
 * @param slot         the instruction's slot (8-byte unit) in the code the loader passes to the kernel
 * @param result       what the relocation resolved to
 * @param poisonReason null if the instruction was patched; else why it was poisoned (the
 *                     result's reason, or a load/store that cannot take the kernel field's size)
 */
public record CoreFixup(int slot, CoreResult result, String poisonReason) {
    public CoreFixup {
        Objects.requireNonNull(result, "result");
    }

    /** Whether the instruction now calls the invalid helper {@link CoreInstructions#POISON_HELPER_ID}. */
    public boolean poisoned() {
        return poisonReason != null;
    }
}
