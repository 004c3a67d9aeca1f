package dev.jbcc.bcc.dialect;

import dev.jbcc.spec.ProgramType;

/**
 * A function of a bcc program that is a BPF program: every non-static function with a body.
 *
 * @param name       the function name (the program's name in the object)
 * @param section    the ELF section it was compiled into ("kprobe", "xdp", "tracepoint/syscalls/sys_enter_clone")
 * @param type       the program type inferred from the section (bcc users may load it as another)
 * @param autoAttach where bcc attaches it by itself, or null when its name has none of bcc's prefixes
 * @param line       the line of its definition in the user's source
 */
public record BccFunction(String name, String section, ProgramType type, AutoAttach autoAttach, int line) {}
