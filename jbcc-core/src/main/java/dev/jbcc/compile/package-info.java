/**
 * The clang driver: {@link dev.jbcc.compile.ClangCompiler} compiles BPF C with
 * {@code clang -target bpf -O2 -g} against a {@code vmlinux.h} that {@link dev.jbcc.compile.KernelHeaders}
 * writes from the kernel's BTF (no kernel headers needed), {@link dev.jbcc.compile.Clang} finds a
 * suitable clang, {@link dev.jbcc.compile.CompileCache} keeps objects by source, flags and headers,
 * and {@link dev.jbcc.compile.Diagnostics} parses clang's messages.
 *
 * <p>Uses the object model only (BTF, errors); runs clang as a process and touches no kernel
 * object, so it can serve build-time tools as well as run-time loading.
 */
package dev.jbcc.compile;
