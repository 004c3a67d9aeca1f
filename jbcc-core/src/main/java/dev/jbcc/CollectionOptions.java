package dev.jbcc;

import dev.jbcc.btf.Btf;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * How {@link Collection#load} loads an object.
 *
 * @param pinPath   the bpffs directory where maps marked {@code LIBBPF_PIN_BY_NAME} are pinned
 *                  and looked for
 * @param programs  names of the programs to load; null loads all
 * @param kernelBtf the BTF that CO-RE relocations, ksyms and kfuncs resolve against; null means
 *                  the running kernel's
 * @param mapReplacements maps (by the object's map name, data sections included) that programs use
 *                  instead of creating them: the caller keeps owning them and the collection neither
 *                  lists nor closes them (cilium/ebpf's MapReplacements; how a front-end loads one
 *                  program at a time over maps it created once)
 * @param logLevel  the verifier log level every program is loaded with (0: none, the default; 1:
 *                  the instructions verified; 2: the register state at every instruction); a
 *                  loaded program keeps its log in {@link Program#verifierLog()}
 */
public record CollectionOptions(Path pinPath, Set<String> programs, Btf kernelBtf, Map<String, BpfMap> mapReplacements,
                                int logLevel) {
    public static final Path DEFAULT_PIN_PATH = Path.of("/sys/fs/bpf");

    public CollectionOptions {
        mapReplacements = mapReplacements == null ? Map.of() : Map.copyOf(mapReplacements);
        if (logLevel < 0 || logLevel > 2) throw new IllegalArgumentException("verifier log level is 0, 1 or 2, not " + logLevel);
    }

    public CollectionOptions(Path pinPath, Set<String> programs, Btf kernelBtf, Map<String, BpfMap> mapReplacements) {
        this(pinPath, programs, kernelBtf, mapReplacements, 0);
    }

    public CollectionOptions(Path pinPath, Set<String> programs, Btf kernelBtf) {
        this(pinPath, programs, kernelBtf, Map.of());
    }

    public static CollectionOptions defaults() {
        return new CollectionOptions(DEFAULT_PIN_PATH, null, null);
    }

    public CollectionOptions withPinPath(Path pinPath) {
        return new CollectionOptions(pinPath, programs, kernelBtf, mapReplacements, logLevel);
    }

    public CollectionOptions withPrograms(Set<String> programs) {
        return new CollectionOptions(pinPath, Set.copyOf(programs), kernelBtf, mapReplacements, logLevel);
    }

    public CollectionOptions withKernelBtf(Btf kernelBtf) {
        return new CollectionOptions(pinPath, programs, kernelBtf, mapReplacements, logLevel);
    }

    public CollectionOptions withMapReplacements(Map<String, BpfMap> mapReplacements) {
        return new CollectionOptions(pinPath, programs, kernelBtf, mapReplacements, logLevel);
    }

    /** Loads every program with the verifier log at {@code level} (1 or 2; 0 for none), kept even on success. */
    public CollectionOptions withLogLevel(int level) {
        return new CollectionOptions(pinPath, programs, kernelBtf, mapReplacements, level);
    }

    Btf kernel() {
        return kernelBtf != null ? kernelBtf : Btf.kernel();
    }
}
