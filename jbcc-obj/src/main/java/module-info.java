/**
 * jbcc's object model: ELF objects, BTF, CO-RE, instructions and the specs a collection is loaded
 * from, with the kinds and errors they share. Parsing and rewriting only: no system call, nothing
 * that touches the running kernel, so it can be tested and fuzzed without root.
 */
module dev.jbcc.obj {
    exports dev.jbcc.asm;
    exports dev.jbcc.btf;
    exports dev.jbcc.btf.core;
    exports dev.jbcc.elf;
    exports dev.jbcc.errors;
    exports dev.jbcc.spec;

    uses dev.jbcc.errors.RefusalExplainer;
}
