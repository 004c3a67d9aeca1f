package dev.jbcc.spec;

/**
 * A CO-RE relocation ({@code struct bpf_core_relo}) from {@code .BTF.ext}: an instruction whose
 * immediate or offset depends on the running kernel's type layout, which the loader computes from
 * the kernel's BTF.
 *
 * @param instructionOffset the instruction's slot, counted from the start of its program
 * @param typeId            the local (object BTF) root type id
 * @param accessString      the access path, e.g. {@code "0:1:2"} (field indices) or {@code "0"}
 * @param kind              what the instruction needs
 */
public record CoreRelocation(int instructionOffset, int typeId, String accessString, Kind kind) {

    /** {@code enum bpf_core_relo_kind}. */
    public enum Kind {
        FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64,
        TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE, ENUMVAL_EXISTS, ENUMVAL_VALUE, TYPE_MATCHES;

        /** The kernel number. */
        public int value() {
            return ordinal();
        }

        static Kind of(int value) {
            Kind[] all = values();
            return value >= 0 && value < all.length ? all[value] : null;
        }
    }

    CoreRelocation shifted(int slots) {
        return new CoreRelocation(instructionOffset + slots, typeId, accessString, kind);
    }
}
