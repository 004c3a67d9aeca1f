/** jbcc's pure-Java eBPF library: no dependency beyond the JDK. */
module dev.jbcc {
    exports dev.jbcc;
    exports dev.jbcc.asm;
    exports dev.jbcc.btf;
    exports dev.jbcc.elf;
    exports dev.jbcc.features;
    exports dev.jbcc.link;
    exports dev.jbcc.perf;
    exports dev.jbcc.ringbuf;
    exports dev.jbcc.spec;
    exports dev.jbcc.trace;
    exports dev.jbcc.compile;
}
