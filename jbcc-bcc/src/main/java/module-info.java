/** jbcc's bcc-compatible front-end: bcc's C dialect and the BPF API that drives it. */
module dev.jbcc.bcc {
    requires transitive dev.jbcc;
    exports dev.jbcc.bcc;
    exports dev.jbcc.bcc.dialect;
}
