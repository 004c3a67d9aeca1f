package dev.jbcc.btf;

/**
 * What a CO-RE relocation asks for ({@code enum bpf_core_relo_kind} in uapi/linux/bpf.h); the
 * ordinal is the kernel's number.
 */
public enum CoreReloKind {
    /** Byte offset of a field. */
    FIELD_BYTE_OFFSET,
    /** Size of a field in bytes. */
    FIELD_BYTE_SIZE,
    /** 1 if the field exists in the target, else 0. */
    FIELD_EXISTS,
    /** 1 if the field is signed. */
    FIELD_SIGNED,
    /** Left shift that moves a bitfield to the top of a u64. */
    FIELD_LSHIFT_U64,
    /** Right shift that then extracts the bitfield. */
    FIELD_RSHIFT_U64,
    /** The type's id in the program's BTF. */
    TYPE_ID_LOCAL,
    /** The matching type's id in the target (kernel) BTF. */
    TYPE_ID_TARGET,
    /** 1 if a compatible type exists in the target. */
    TYPE_EXISTS,
    /** The type's size in the target. */
    TYPE_SIZE,
    /** 1 if the enumerator exists in the target. */
    ENUMVAL_EXISTS,
    /** The enumerator's value in the target. */
    ENUMVAL_VALUE,
    /** 1 if the type matches the target's (stricter than TYPE_EXISTS). */
    TYPE_MATCHES;

    private static final CoreReloKind[] BY_VALUE = values();

    /** The kernel's number. */
    public int value() {
        return ordinal();
    }

    /** The kind with this kernel number, or null if unknown. */
    public static CoreReloKind of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }

    /** Whether the relocation is about a field (its access string names members). */
    public boolean isField() {
        return ordinal() <= FIELD_RSHIFT_U64.ordinal();
    }

    /** Whether the relocation is about a whole type. */
    public boolean isType() {
        return this == TYPE_ID_LOCAL || this == TYPE_ID_TARGET || this == TYPE_EXISTS || this == TYPE_SIZE
                || this == TYPE_MATCHES;
    }

    /** Whether the relocation is about an enumerator. */
    public boolean isEnumValue() {
        return this == ENUMVAL_EXISTS || this == ENUMVAL_VALUE;
    }
}
