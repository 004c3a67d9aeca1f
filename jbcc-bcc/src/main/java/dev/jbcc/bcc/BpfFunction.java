package dev.jbcc.bcc;

import dev.jbcc.Program;
import dev.jbcc.spec.ProgramType;

/**
 * A function of a bcc program loaded as a BPF program: bcc's {@code BPF.Function}, as
 * {@link BPF#loadFunc} returns it. The program belongs to its {@link BPF} and is closed with it.
 *
 * @param name    the C function's name
 * @param program the loaded program
 */
public record BpfFunction(String name, Program program) {
    /** The program's fd, what TC filters and prog arrays take (bcc's {@code fn.fd}). */
    public int fd() {
        return program.fd();
    }

    public ProgramType type() {
        return program.type();
    }
}
