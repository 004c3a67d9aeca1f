package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;

/** bcc's PerCpuHash (BPF_PERCPU_HASH, LRU_PERCPU_HASH): a hash whose leaves are per-CPU lists. */
public final class PerCpuHash extends PerCpuTable {
    PerCpuHash(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }
}
