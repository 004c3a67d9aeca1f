/**
 * CO-RE (compile once, run everywhere): resolving a BPF object's {@code .BTF.ext} CO-RE relocations
 * against a target BTF, normally the running kernel's, and patching the instructions they name.
 *
 * <p>{@link dev.jbcc.btf.core.CoreResolver} turns one relocation (a local type id, an access
 * string such as {@code "0:1:2"} and a {@link dev.jbcc.btf.CoreReloKind}) into a
 * {@link dev.jbcc.btf.core.CoreFixup}: the value the compiler assumed, the value the target needs,
 * or the reason the relocation cannot be satisfied. {@link dev.jbcc.btf.core.CoreFixup#apply}
 * rewrites the instruction; an unsatisfiable one becomes a call to a helper that does not exist
 * ({@value dev.jbcc.btf.core.CoreFixup#POISON_HELPER_ID}), which the verifier only rejects if the
 * program can reach it, so code guarded by {@code bpf_core_field_exists()} and friends loads.
 *
 * <p>The matching rules are the kernel's and libbpf's ({@code Documentation/bpf/llvm_reloc.rst},
 * {@code tools/lib/bpf/relo_core.c}): target candidates share the local type's kind and
 * <em>essential name</em> (the name without a {@code ___flavour} suffix); fields match by name,
 * looking through anonymous struct and union members; several candidates must agree. Kernel
 * modules' split BTF can be searched too ({@link dev.jbcc.btf.core.CoreResolver#of(dev.jbcc.btf.Btf,
 * dev.jbcc.btf.Btf, java.util.List)}), only for types vmlinux lacks. A load of a field whose size
 * differs in the kernel takes the kernel's size when that keeps the value: pointers and unsigned
 * integers always, signed integers through a sign-extending load when the resolver is allowed to
 * emit one ({@link dev.jbcc.btf.core.CoreResolver#withSignExtendingLoads()}, Linux 6.6).
 */
package dev.jbcc.btf.core;
