/** Kernel BTF parse time and memory against libbpf (issue 6, figure 6): {@code BtfBench} and {@code src/main/c/btf.c}. */
package dev.jbcc.bench.btf;
