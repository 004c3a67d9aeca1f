package dev.jbcc.btf;

/**
 * The kinds of BTF type, with the kernel's numbers ({@code BTF_KIND_*} in uapi/linux/btf.h).
 * The number is what the 5-bit kind field of {@code btf_type.info} holds.
 */
public enum BtfKind {
    VOID(0, BtfType.Void.class),
    INT(1, BtfType.Int.class),
    PTR(2, BtfType.Ptr.class),
    ARRAY(3, BtfType.Array.class),
    STRUCT(4, BtfType.Struct.class),
    UNION(5, BtfType.Union.class),
    ENUM(6, BtfType.Enum.class),
    FWD(7, BtfType.Fwd.class),
    TYPEDEF(8, BtfType.Typedef.class),
    VOLATILE(9, BtfType.Volatile.class),
    CONST(10, BtfType.Const.class),
    RESTRICT(11, BtfType.Restrict.class),
    FUNC(12, BtfType.Func.class),
    FUNC_PROTO(13, BtfType.FuncProto.class),
    VAR(14, BtfType.Var.class),
    DATASEC(15, BtfType.DataSec.class),
    FLOAT(16, BtfType.Float.class),
    DECL_TAG(17, BtfType.DeclTag.class),
    TYPE_TAG(18, BtfType.TypeTag.class),
    ENUM64(19, BtfType.Enum64.class);

    private static final BtfKind[] BY_VALUE = values();

    private final int value;
    private final Class<? extends BtfType> recordClass;

    BtfKind(int value, Class<? extends BtfType> recordClass) {
        this.value = value;
        this.recordClass = recordClass;
    }

    /** The kernel's {@code BTF_KIND_*} number. */
    public int value() {
        return value;
    }

    /** The record that models this kind. */
    public Class<? extends BtfType> recordClass() {
        return recordClass;
    }

    /** The kind with this kernel number, or null if this library does not know it. */
    public static BtfKind of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }

    /** The kind a record class models. */
    public static BtfKind of(Class<? extends BtfType> recordClass) {
        for (BtfKind k : BY_VALUE) {
            if (k.recordClass == recordClass) {
                return k;
            }
        }
        throw new IllegalArgumentException(recordClass + " is not a BTF type record");
    }
}
