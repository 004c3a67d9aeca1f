/** jbcc's bcc-compatible front-end: bcc's C dialect and (later) the BPF API. */
module dev.jbcc.bcc {
    requires transitive dev.jbcc;
    exports dev.jbcc.bcc.dialect;
}
