package dev.jbcc.asm;

/**
 * What an instruction points at by name, recorded from the object's relocations so a loader can
 * patch the instruction once the target exists in the kernel. Nothing here is resolved: a
 * reference names a map, a global-data section, a function or an extern.
 */
public sealed interface Reference {

    /** A {@code ld_imm64} of a map's address: patch to {@code BPF_PSEUDO_MAP_FD} with the map's fd. */
    record MapReference(String mapName) implements Reference {
        @Override
        public String toString() {
            return "map " + mapName;
        }
    }

    /**
     * A {@code ld_imm64} of an address in global data: patch to {@code BPF_PSEUDO_MAP_VALUE} with the
     * fd of the section's map in the low half and {@code offset} in the high half.
     *
     * @param section the data section, which is also the name of its ARRAY map (".data", ".rodata", ".bss", ...)
     * @param offset  byte offset into the section
     */
    record DataReference(String section, int offset) implements Reference {
        @Override
        public String toString() {
            return section + "+" + offset;
        }
    }

    /**
     * A bpf-to-bpf call ({@code call} with {@code BPF_PSEUDO_CALL}) or a function address load
     * ({@code ld_imm64} with {@code BPF_PSEUDO_FUNC}, e.g. a bpf_loop callback).
     */
    record FunctionReference(String name) implements Reference {
        @Override
        public String toString() {
            return "func " + name;
        }
    }

    /** A {@code ld_imm64} of an {@code extern ... __kconfig} variable such as {@code LINUX_KERNEL_VERSION} or {@code CONFIG_HZ}. */
    record KconfigReference(String name) implements Reference {
        @Override
        public String toString() {
            return "kconfig " + name;
        }
    }

    /**
     * An {@code extern ... __ksym}: a kernel variable's address ({@code ld_imm64}, patch to
     * {@code BPF_PSEUDO_BTF_ID}) or a kfunc call ({@code call}, patch to {@code BPF_PSEUDO_KFUNC_CALL}),
     * both with the kernel's BTF id for {@code name}.
     */
    record KsymReference(String name, boolean isFunction) implements Reference {
        @Override
        public String toString() {
            return (isFunction ? "kfunc " : "ksym ") + name;
        }
    }
}
