/** Typed Java skeletons generated from BPF objects (build time: the Maven plugin and {@code jbcc gen skeleton}). */
module dev.jbcc.gen {
    requires transitive dev.jbcc;
    exports dev.jbcc.gen;
}
