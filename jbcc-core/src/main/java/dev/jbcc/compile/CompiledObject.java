package dev.jbcc.compile;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A BPF ELF object clang produced.
 *
 * @param sourceName the source's name ({@link Source#name()})
 * @param elf        the object file's bytes; the record does not copy them, callers must not
 *                   modify the array
 * @param warnings   clang's warnings, empty when there were none
 * @param cached     whether it came from the cache rather than a clang run
 * @param inputs     the files the compile read that {@link ClangCompiler#cacheIdentity()} does not
 *                   pin down (the program's headers, libbpf's, precompiled headers; not the source
 *                   itself nor the generated vmlinux.h), as clang's dependency output named them:
 *                   what a cache of results built on this object must check
 */
public record CompiledObject(String sourceName, byte[] elf, String warnings, boolean cached, List<Path> inputs) {
    public CompiledObject {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(elf, "elf");
        Objects.requireNonNull(warnings, "warnings");
        inputs = List.copyOf(inputs);
    }

    /** An object with no recorded inputs. */
    public CompiledObject(String sourceName, byte[] elf, String warnings, boolean cached) {
        this(sourceName, elf, warnings, cached, List.of());
    }
}
