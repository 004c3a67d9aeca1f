package dev.jbcc;

import dev.jbcc.btf.Btf;

import java.nio.file.Path;
import java.util.Set;

/**
 * How {@link Collection#load} loads an object.
 *
 * @param pinPath   the bpffs directory where maps marked {@code LIBBPF_PIN_BY_NAME} are pinned
 *                  and looked for
 * @param programs  names of the programs to load; null loads all
 * @param kernelBtf the BTF that CO-RE relocations, ksyms and kfuncs resolve against; null means
 *                  the running kernel's
 */
public record CollectionOptions(Path pinPath, Set<String> programs, Btf kernelBtf) {
    public static final Path DEFAULT_PIN_PATH = Path.of("/sys/fs/bpf");

    public static CollectionOptions defaults() {
        return new CollectionOptions(DEFAULT_PIN_PATH, null, null);
    }

    public CollectionOptions withPinPath(Path pinPath) {
        return new CollectionOptions(pinPath, programs, kernelBtf);
    }

    public CollectionOptions withPrograms(Set<String> programs) {
        return new CollectionOptions(pinPath, Set.copyOf(programs), kernelBtf);
    }

    public CollectionOptions withKernelBtf(Btf kernelBtf) {
        return new CollectionOptions(pinPath, programs, kernelBtf);
    }

    Btf kernel() {
        return kernelBtf != null ? kernelBtf : Btf.kernel();
    }
}
