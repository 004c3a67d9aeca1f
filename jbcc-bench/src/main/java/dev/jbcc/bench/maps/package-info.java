/** Map operations against libbpf (issue 6, figure 3): {@code MapBench} and {@code src/main/c/maps.c}. */
package dev.jbcc.bench.maps;
