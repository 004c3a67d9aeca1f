package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

/**
 * bcc's PerCpuArray (BPF_PERCPU_ARRAY): an array whose leaves are per-CPU lists; negative
 * indexes count from the end, delete zeroes every CPU's value.
 */
public final class PerCpuArray extends PerCpuTable {
    PerCpuArray(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    @Override
    boolean isArray() {
        return true;
    }
}
