package dev.jbcc.spec;

import dev.jbcc.btf.CoreReloKind;

/**
 * A CO-RE relocation ({@code struct bpf_core_relo}) from {@code .BTF.ext}: an instruction whose
 * immediate or offset depends on the running kernel's type layout, which the loader computes from
 * the kernel's BTF.
 *
 * @param instructionOffset the instruction's slot, counted from the start of its program
 * @param typeId            the local (object BTF) root type id
 * @param accessString      the access path, e.g. {@code "0:1:2"} (field indices) or {@code "0"}
 * @param kind              what the instruction needs
 */
public record CoreRelocation(int instructionOffset, int typeId, String accessString, CoreReloKind kind) {}
