/** jbcc's pure-Java eBPF library: no dependency beyond the JDK. */
module dev.jbcc {
    requires transitive dev.jbcc.obj;

    exports dev.jbcc;
    exports dev.jbcc.compile;
    // The compile cache and the process runner, for the bcc front-end's prelude: one implementation each.
    exports dev.jbcc.compile.internal to dev.jbcc.bcc;
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
