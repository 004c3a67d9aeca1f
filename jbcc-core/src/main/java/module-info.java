/** jbcc's pure-Java eBPF library: no dependency beyond the JDK. */
module dev.jbcc {
    exports dev.jbcc;
    exports dev.jbcc.btf;
    exports dev.jbcc.spec;
    exports dev.jbcc.compile;
}
