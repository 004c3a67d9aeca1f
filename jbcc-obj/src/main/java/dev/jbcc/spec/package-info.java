/**
 * Kernel-independent descriptions of what to load: {@link dev.jbcc.spec.CollectionSpec},
 * {@link dev.jbcc.spec.ProgramSpec}, {@link dev.jbcc.spec.MapSpec}, read from a clang-compiled BPF
 * object by {@link dev.jbcc.spec.ObjectReader}, with libbpf's section-name conventions in
 * {@link dev.jbcc.spec.ProgramSection}.
 */
package dev.jbcc.spec;
