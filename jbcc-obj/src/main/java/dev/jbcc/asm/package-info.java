/**
 * The eBPF instruction set: {@link dev.jbcc.asm.Instruction} (one record per instruction, a
 * {@code ld_imm64} being one instruction of two slots), its encoding in either byte order and its
 * verifier-log disassembly; {@link dev.jbcc.asm.Instructions}, an immutable sequence with slot
 * offsets, symbols and the {@link dev.jbcc.asm.Reference}s a loader patches; {@link dev.jbcc.asm.Asm}
 * factories; the kernel's {@link dev.jbcc.asm.Helper} ids.
 */
package dev.jbcc.asm;
