/**
 * Benchmarks of jbcc against C references built on libbpf, run by {@code scripts/bench}: each
 * section of {@code scripts/bench.d} runs a Java side and a C side on the same BPF producer in one
 * run and prints {@code name: java=… c=… ratio=…} lines; Java-only microbenchmarks use JMH.
 * Nothing here is a test: no figure is asserted anywhere.
 */
package dev.jbcc.bench;
