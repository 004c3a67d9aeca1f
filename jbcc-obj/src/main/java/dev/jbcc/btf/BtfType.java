package dev.jbcc.btf;

import java.util.List;
import java.util.Objects;

/**
 * One BTF type, as an immutable value. There is one record per kernel {@link BtfKind}.
 *
 * <p>Types refer to each other by <em>type id</em> ({@code int}), never by Java reference: the
 * {@link Btf} that holds a type resolves its ids. Id 0 is {@link Void}. In split BTF (kernel
 * modules) ids continue from the base BTF's last id.
 *
 * <p>Names are Java strings; an anonymous type has the name {@code ""}. Sizes are in bytes, member
 * and bitfield offsets in bits, as BTF stores them.
 */
public sealed interface BtfType {

    /** The type's name, {@code ""} if it has none (pointers, qualifiers, anonymous records). */
    String name();

    /** The kernel kind this record models. */
    BtfKind kind();

    /** Linkage of a {@link Func} ({@code BTF_FUNC_*}) or {@link Var} ({@code BTF_VAR_*}); same numbers. */
    enum Linkage {
        /** Static: {@code BTF_FUNC_STATIC}, {@code BTF_VAR_STATIC} (0). */
        STATIC,
        /** Global: {@code BTF_FUNC_GLOBAL}, {@code BTF_VAR_GLOBAL_ALLOCATED} (1). */
        GLOBAL,
        /** Extern: {@code BTF_FUNC_EXTERN}, {@code BTF_VAR_GLOBAL_EXTERN} (2). */
        EXTERN;

        private static final Linkage[] BY_VALUE = values();

        /** The kernel number (0, 1, 2). */
        public int value() {
            return ordinal();
        }

        /** The linkage with this kernel number, or null if unknown. */
        public static Linkage of(int value) {
            return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
        }
    }

    /** How an {@link Int}'s bits are interpreted ({@code BTF_INT_SIGNED/CHAR/BOOL}); at most one applies. */
    enum IntEncoding {
        /** No flag: unsigned integer. */
        UNSIGNED(0),
        SIGNED(1),
        CHAR(2),
        BOOL(4);

        private final int value;

        IntEncoding(int value) {
            this.value = value;
        }

        /** The kernel's encoding bits. */
        public int value() {
            return value;
        }

        /** The encoding with these kernel bits, or null if they are not exactly one known flag (or none). */
        public static IntEncoding of(int value) {
            return switch (value) {
                case 0 -> UNSIGNED;
                case 1 -> SIGNED;
                case 2 -> CHAR;
                case 4 -> BOOL;
                default -> null;
            };
        }
    }

    /** A struct or union. */
    sealed interface Composite extends BtfType permits Struct, Union {
        /** Size in bytes. */
        int size();

        List<Member> members();
    }

    /** An enum of 32- or 64-bit values. */
    sealed interface Enumeration extends BtfType permits Enum, Enum64 {
        /** Size in bytes (1, 2, 4 or 8). */
        int size();

        /** Whether the values are signed ({@code kind_flag}). */
        boolean signed();

        List<EnumValue> values();
    }

    /**
     * A type that only refers to another: pointers, typedefs, qualifiers and type tags. {@code
     * Btf.resolve} skips typedefs, qualifiers and type tags.
     */
    sealed interface Reference extends BtfType permits Ptr, Typedef, Volatile, Const, Restrict, TypeTag {
        /** The id of the type referred to. */
        int type();
    }

    /** The void type, id 0; also "no type" (a function returning void). */
    record Void() implements BtfType {
        public static final Void INSTANCE = new Void();

        @Override
        public String name() {
            return "";
        }

        @Override
        public BtfKind kind() {
            return BtfKind.VOID;
        }
    }

    /**
     * An integer type.
     *
     * @param name      C name, e.g. {@code "unsigned int"}
     * @param size      size in bytes (1, 2, 4, 8, 16)
     * @param encoding  signedness / char / bool
     * @param bitOffset offset of the value's bits inside the storage (0 in what compilers emit)
     * @param bits      number of value bits (at most {@code size * 8})
     */
    record Int(String name, int size, IntEncoding encoding, int bitOffset, int bits) implements BtfType {
        public Int {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(encoding, "encoding");
        }

        @Override
        public BtfKind kind() {
            return BtfKind.INT;
        }
    }

    /** A pointer to {@code type}. */
    record Ptr(int type) implements Reference {
        @Override
        public String name() {
            return "";
        }

        @Override
        public BtfKind kind() {
            return BtfKind.PTR;
        }
    }

    /**
     * An array.
     *
     * @param type      element type id
     * @param indexType index type id (an int type; not meaningful for C)
     * @param length    number of elements
     */
    record Array(int type, int indexType, int length) implements BtfType {
        @Override
        public String name() {
            return "";
        }

        @Override
        public BtfKind kind() {
            return BtfKind.ARRAY;
        }
    }

    /**
     * A member of a struct or union.
     *
     * @param name         member name, {@code ""} for an anonymous struct/union member
     * @param type         member type id
     * @param bitOffset    offset from the start of the record, in bits
     * @param bitfieldSize bitfield width in bits, 0 if the member is not a bitfield (BTF stores a
     *                     non-zero width only with the record's {@code kind_flag} set)
     */
    record Member(String name, int type, int bitOffset, int bitfieldSize) {
        public Member {
            Objects.requireNonNull(name, "name");
        }
    }

    /** A struct of {@code size} bytes. */
    record Struct(String name, int size, List<Member> members) implements Composite {
        public Struct {
            Objects.requireNonNull(name, "name");
            members = List.copyOf(members);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.STRUCT;
        }
    }

    /** A union of {@code size} bytes. */
    record Union(String name, int size, List<Member> members) implements Composite {
        public Union {
            Objects.requireNonNull(name, "name");
            members = List.copyOf(members);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.UNION;
        }
    }

    /**
     * An enumerator. For an unsigned 32-bit enum the value is zero-extended, for a signed one
     * sign-extended; for {@link Enum64} it is the 64 bits as stored (read as unsigned if the enum
     * is not {@link Enumeration#signed()}).
     */
    record EnumValue(String name, long value) {
        public EnumValue {
            Objects.requireNonNull(name, "name");
        }
    }

    /** An enum with 32-bit values ({@code BTF_KIND_ENUM}). */
    record Enum(String name, int size, boolean signed, List<EnumValue> values) implements Enumeration {
        public Enum {
            Objects.requireNonNull(name, "name");
            values = List.copyOf(values);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.ENUM;
        }
    }

    /** An enum with 64-bit values ({@code BTF_KIND_ENUM64}). */
    record Enum64(String name, int size, boolean signed, List<EnumValue> values) implements Enumeration {
        public Enum64 {
            Objects.requireNonNull(name, "name");
            values = List.copyOf(values);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.ENUM64;
        }
    }

    /** A forward declaration of a struct ({@code union == false}) or union. */
    record Fwd(String name, boolean union) implements BtfType {
        public Fwd {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    /** {@code typedef type name;} */
    record Typedef(String name, int type) implements Reference {
        public Typedef {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public BtfKind kind() {
            return BtfKind.TYPEDEF;
        }
    }

    /** {@code volatile type} */
    record Volatile(int type) implements Reference {
        @Override
        public String name() {
            return "";
        }

        @Override
        public BtfKind kind() {
            return BtfKind.VOLATILE;
        }
    }

    /** {@code const type} */
    record Const(int type) implements Reference {
        @Override
        public String name() {
            return "";
        }

        @Override
        public BtfKind kind() {
            return BtfKind.CONST;
        }
    }

    /** {@code restrict type} */
    record Restrict(int type) implements Reference {
        @Override
        public String name() {
            return "";
        }

        @Override
        public BtfKind kind() {
            return BtfKind.RESTRICT;
        }
    }

    /**
     * A function (a program, subprogram or kernel function).
     *
     * @param type    id of its {@link FuncProto}
     * @param linkage static, global or extern
     */
    record Func(String name, int type, Linkage linkage) implements BtfType {
        public Func {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(linkage, "linkage");
        }

        @Override
        public BtfKind kind() {
            return BtfKind.FUNC;
        }
    }

    /** A function parameter; {@code name} may be {@code ""}. */
    record Param(String name, int type) {
        public Param {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A function signature.
     *
     * @param returnType id of the return type, 0 for void
     * @param params     the named parameters, without the variadic marker
     * @param variadic   whether the function takes {@code ...} (BTF: a last parameter with no name and type 0)
     */
    record FuncProto(int returnType, List<Param> params, boolean variadic) implements BtfType {
        public FuncProto {
            params = List.copyOf(params);
        }

        @Override
        public String name() {
            return "";
        }

        @Override
        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }
    }

    /** A global or static variable. */
    record Var(String name, int type, Linkage linkage) implements BtfType {
        public Var {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(linkage, "linkage");
        }

        @Override
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    /**
     * A variable's place in a {@link DataSec}.
     *
     * @param type   id of the {@link Var} (or, for ksyms, a {@link Func})
     * @param offset byte offset in the section
     * @param size   size in bytes
     */
    record VarSecInfo(int type, int offset, int size) {}

    /**
     * An ELF data section ({@code .data}, {@code .bss}, {@code .rodata}, {@code .maps}, …) and the
     * variables in it. Compilers leave {@code size} and the offsets 0 in objects; the loader fills
     * them in from the ELF section and symbol table (see {@code Btf.withDataSec}).
     */
    record DataSec(String name, int size, List<VarSecInfo> vars) implements BtfType {
        public DataSec {
            Objects.requireNonNull(name, "name");
            vars = List.copyOf(vars);
        }

        @Override
        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    /** A floating point type of {@code size} bytes. */
    record Float(String name, int size) implements BtfType {
        public Float {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /**
     * {@code __attribute__((btf_decl_tag(name)))} on a declaration.
     *
     * @param name         the tag text
     * @param type         id of the tagged struct, union, typedef, var or func
     * @param componentIdx -1 for the declaration itself, else the member or parameter index
     * @param attribute    {@code kind_flag}: the tag is a C attribute to re-emit verbatim
     */
    record DeclTag(String name, int type, int componentIdx, boolean attribute) implements BtfType {
        public DeclTag {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }

    /**
     * {@code __attribute__((btf_type_tag(name)))} on a type (e.g. {@code __user}, {@code __rcu}).
     *
     * @param attribute {@code kind_flag}: the tag is a C attribute to re-emit verbatim
     */
    record TypeTag(String name, int type, boolean attribute) implements Reference {
        public TypeTag {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public BtfKind kind() {
            return BtfKind.TYPE_TAG;
        }
    }
}
