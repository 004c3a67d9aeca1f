package dev.jbcc.compile;

import java.util.Objects;

/**
 * A BPF ELF object clang produced.
 *
 * @param sourceName the source's name ({@link Source#name()})
 * @param elf        the object file's bytes; the record does not copy them, callers must not
 *                   modify the array
 * @param warnings   clang's warnings, empty when there were none
 * @param cached     whether it came from the cache rather than a clang run
 */
public record CompiledObject(String sourceName, byte[] elf, String warnings, boolean cached) {
    public CompiledObject {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(elf, "elf");
        Objects.requireNonNull(warnings, "warnings");
    }
}
