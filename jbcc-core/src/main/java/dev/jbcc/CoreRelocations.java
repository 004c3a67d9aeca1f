package dev.jbcc;

import dev.jbcc.asm.Instructions;
import dev.jbcc.btf.Btf;
import dev.jbcc.spec.ProgramSpec;

/** Applies a program's CO-RE relocations against the kernel's BTF before load. */
final class CoreRelocations {
    /** The helper id a poisoned call to a missing weak kfunc gets, as libbpf does. */
    static final long POISON_KFUNC = 2002000000L;

    private CoreRelocations() {}

    static Instructions apply(ProgramSpec program, Btf local, Btf kernel) {
        if (program.coreRelocations().isEmpty()) return program.instructions();
        throw new UnsupportedOperationException("CO-RE relocations are not applied yet (program " + program.name() + ")");
    }

    /** A sentence naming the field or type behind a poisoned instruction the verifier hit, or null. */
    static String explainPoison(String verifierLog, ProgramSpec program) {
        return null;
    }
}
