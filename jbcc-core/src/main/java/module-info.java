/** jbcc's pure-Java eBPF library: no dependency beyond the JDK. */
module dev.jbcc {
    requires transitive dev.jbcc.obj;

    exports dev.jbcc;
    exports dev.jbcc.compile;
    exports dev.jbcc.features;
    exports dev.jbcc.link;
    exports dev.jbcc.netlink;
    exports dev.jbcc.perf;
    exports dev.jbcc.ringbuf;
    exports dev.jbcc.symbols;
    exports dev.jbcc.trace;
    exports dev.jbcc.usdt;

    provides dev.jbcc.errors.RefusalExplainer with dev.jbcc.internal.sys.PrivilegeRefusals;
}
