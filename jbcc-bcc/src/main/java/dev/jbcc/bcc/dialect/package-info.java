/**
 * bcc's C dialect, compiled without kernel headers.
 *
 * <p>{@link dev.jbcc.bcc.dialect.BccCompiler#compile} takes a bcc program's text unchanged and
 * returns a {@link dev.jbcc.bcc.dialect.BccProgram}: the BPF object (compiled and cached by
 * {@link dev.jbcc.compile.ClangCompiler}), its parsed {@link dev.jbcc.spec.CollectionSpec}, the
 * program functions with their types and auto-attach hooks, the tables with bcc's kinds, C types and
 * BTF ids, and what each perf/ring output call submits.
 *
 * <p>How: kernel includes resolve to stub headers that include jbcc's prelude (the running kernel's
 * vmlinux.h, libbpf's BPF headers, the #defines BTF lacks, bcc's macros), precompiled once. A
 * token pre-pass turns what is not C into C (table macros into BTF-defined maps, {@code t.m(…)}
 * calls into prelude macros, {@code TRACEPOINT_PROBE} into a function with a struct generated from
 * tracefs, {@code bpf_trace_printk}); clang then type-checks that and dumps its AST as JSON, on
 * which a second pass places sections, reads extra kprobe arguments from registers and turns reads
 * through kernel pointers into {@code bpf_probe_read_kernel}. Both passes keep every user line on its
 * line number, so clang's and the verifier's messages name the user's lines.
 */
package dev.jbcc.bcc.dialect;
