/**
 * CO-RE ("compile once, run everywhere"): relocating a BPF program's field offsets, sizes, type
 * ids and enum values from the types it was compiled against (the object's BTF) to the running
 * kernel's (vmlinux and module BTF), with the rules and results of libbpf.
 *
 * <p>For a loader: build one {@link dev.jbcc.btf.core.CoreRelocator} per object
 * ({@code CoreRelocator.of(objectBtf, CoreTarget.kernel())}), and for each relocation of a program
 * call {@link dev.jbcc.btf.core.CoreRelocator#resolve} and
 * {@link dev.jbcc.btf.core.CoreInstructions#apply} on the program's raw instructions (or
 * {@link dev.jbcc.btf.core.CoreRelocator#relocate} for both). Keep the returned
 * {@link dev.jbcc.btf.core.CoreFixup}s: if the verifier rejects the program,
 * {@link dev.jbcc.btf.core.CoreInstructions#explainPoison} names the missing field or type.
 */
package dev.jbcc.btf.core;
