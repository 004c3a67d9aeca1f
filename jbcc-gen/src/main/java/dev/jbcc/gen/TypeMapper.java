package dev.jbcc.gen;

import dev.jbcc.errors.FormatException;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.FlatMember;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps BTF types of one object to Java types and to the code that reads and writes them at an
 * offset of a {@code MemorySegment}. Structs become records and enums Java enums, declared once
 * each (nested in the skeleton class) the first time a field, map or variable uses them.
 *
 * <p>Generated code calls a few static helpers of the skeleton class ({@code readChars},
 * {@code readArray}, ...), always qualified with its name, so a record component of the same name
 * cannot shadow them; bitfields go through core's {@link FlatMember}.
 */
final class TypeMapper {

    /** What a BTF type is in Java. */
    sealed interface Shape {
        int size();
    }

    /** A primitive: {@code layout} is the unaligned {@code ValueLayout} constant, null for boolean. */
    record Prim(String java, String boxed, String layout, int size) implements Shape {
        boolean isBoolean() {
            return java.equals("boolean");
        }
    }

    /** A {@code char[n]}: a Java string of at most n bytes, NUL-terminated unless full. */
    record Chars(int size) implements Shape {}

    /** Bytes with no better mapping (unions, 128-bit integers). */
    record Opaque(int size) implements Shape {}

    record EnumRef(String name, int size, boolean signed) implements Shape {}

    record RecordRef(String name, int size) implements Shape {}

    record ArrayOf(Shape element, int length) implements Shape {
        public int size() {
            return element.size() * length;
        }
    }

    private static final Prim BOOL = new Prim("boolean", "Boolean", null, 1);
    private static final Prim BYTE = new Prim("byte", "Byte", "JAVA_BYTE", 1);
    private static final Prim SHORT = new Prim("short", "Short", "JAVA_SHORT_UNALIGNED", 2);
    private static final Prim INT = new Prim("int", "Integer", "JAVA_INT_UNALIGNED", 4);
    private static final Prim LONG = new Prim("long", "Long", "JAVA_LONG_UNALIGNED", 8);
    private static final Prim FLOAT = new Prim("float", "Float", "JAVA_FLOAT_UNALIGNED", 4);
    private static final Prim DOUBLE = new Prim("double", "Double", "JAVA_DOUBLE_UNALIGNED", 8);

    private final Btf btf;
    private final ByteOrder order;
    private final String outer;
    private final Names.Scope typeNames;
    private final Map<Integer, Shape> declared = new HashMap<>();
    private final List<String> declarations = new ArrayList<>();

    /**
     * @param outer     the skeleton class, which holds the helpers
     * @param typeNames the nested type names already taken
     */
    TypeMapper(Btf btf, ByteOrder order, String outer, Names.Scope typeNames) {
        this.btf = btf;
        this.order = order;
        this.outer = outer;
        this.typeNames = typeNames;
    }

    /** The nested records and enums declared so far, as source text. */
    List<String> declarations() {
        return declarations;
    }

    /** The shape of type {@code id}; {@code hint} names an anonymous struct or enum. */
    Shape shape(int id, String hint) {
        String typedef = typedefName(id);
        int r = btf.resolve(id);
        BtfType t = btf.type(r);
        return switch (t) {
            case BtfType.Int i when i.encoding() == BtfType.IntEncoding.BOOL && i.size() == 1 -> BOOL;
            case BtfType.Int i -> integer(i.size());
            case BtfType.Float f -> f.size() == 4 ? FLOAT : f.size() == 8 ? DOUBLE : new Opaque(f.size());
            case BtfType.Ptr p -> LONG;
            case BtfType.Enumeration e -> declared.containsKey(r) ? declared.get(r)
                    : declareEnum(r, e, name(e.name(), typedef, hint));
            case BtfType.Struct s -> declared.containsKey(r) ? declared.get(r)
                    : declareRecord(r, s, name(s.name(), typedef, hint));
            case BtfType.Union u -> new Opaque(u.size());
            case BtfType.Array a when isChar(a.type()) -> new Chars(a.length());
            case BtfType.Array a -> {
                Shape element = shape(a.type(), hint);
                yield new ArrayOf(element == BOOL ? BYTE : element, a.length()); // no boolean[] in ValueLayout
            }
            default -> throw new FormatException("cannot map BTF type " + btf.describe(id) + " to Java");
        };
    }

    private static Shape integer(int size) {
        return switch (size) {
            case 1 -> BYTE;
            case 2 -> SHORT;
            case 4 -> INT;
            case 8 -> LONG;
            default -> new Opaque(size);
        };
    }

    private boolean isChar(int id) {
        return btf.type(btf.resolve(id)) instanceof BtfType.Int i && i.size() == 1
                && (i.encoding() == BtfType.IntEncoding.CHAR || i.name().equals("char"));
    }

    /** The first typedef name on the way from {@code id} to the type it names, or "". */
    private String typedefName(int id) {
        for (int cur = id, hops = 0; hops < 32; hops++) {
            BtfType t = btf.type(cur);
            if (t instanceof BtfType.Typedef td) return td.name();
            if (t instanceof BtfType.Reference ref && !(t instanceof BtfType.Ptr)) cur = ref.type();
            else return "";
        }
        return "";
    }

    private static String name(String cName, String typedef, String hint) {
        String c = !cName.isEmpty() ? cName : !typedef.isEmpty() ? typedef : hint;
        String java = Names.upperCamel(c);
        return java.isEmpty() ? "Anon" : java;
    }

    // ---- declarations ----

    private Shape declareEnum(int id, BtfType.Enumeration e, String wanted) {
        String name = typeNames.unique(wanted, "Enum");
        var shape = new EnumRef(name, e.size(), e.signed());
        declared.put(id, shape);
        var src = new StringBuilder();
        src.append("    /** {@code enum ").append(e.name().isEmpty() ? "(anonymous)" : e.name())
                .append("} (").append(e.size()).append(" bytes). */\n");
        src.append("    public enum ").append(name).append(" {\n");
        var constants = new Names.Scope(java.util.Set.of("value", "of", "values", "valueOf"));
        for (int i = 0; i < e.values().size(); i++) {
            BtfType.EnumValue v = e.values().get(i);
            src.append("        ").append(constants.unique(Names.constant(v.name()), "_")).append('(')
                    .append(v.value()).append("L)").append(i + 1 < e.values().size() ? ",\n" : ";\n");
        }
        if (e.values().isEmpty()) src.append("        ;\n");
        src.append("""

                        private final long value;

                        %1$s(long value) {
                            this.value = value;
                        }

                        /** The C value. */
                        public long value() {
                            return value;
                        }

                        /** The constant with the C value {@code value}, or null if the enum has none. */
                        public static %1$s of(long value) {
                            for (%1$s c : values()) if (c.value == value) return c;
                            return null;
                        }
                    }
                """.formatted(name));
        declarations.add(src.toString());
        return shape;
    }

    private Shape declareRecord(int id, BtfType.Struct s, String wanted) {
        String name = typeNames.unique(wanted, "Struct");
        var shape = new RecordRef(name, s.size());
        declared.put(id, shape);
        var components = new ArrayList<String>();
        var reads = new ArrayList<String>();
        var writes = new ArrayList<String>();
        var scope = new Names.Scope(java.util.Set.of("SIZE", "CODEC", "read", "write"));
        var bitfields = new ArrayList<String>();
        Map<String, FlatMember> flat = FlatMember.of(btf, id);
        int anonymous = 0;
        for (BtfType.Member m : s.members()) {
            if (m.name().isEmpty() && m.bitfieldSize() != 0) continue; // unnamed padding bits
            String field = m.name().isEmpty() ? "anon" + anonymous++ : m.name();
            String java = scope.unique(Names.lowerCamel(field), "_");
            Shape ms = shape(m.type(), name + Names.upperCamel(field));
            String where = "struct " + s.name() + "." + field;
            FlatMember bits = m.name().isEmpty() ? null : flat.get(m.name());
            if (bits != null && bits.isBitfield()) {
                boolean signed = btf.type(btf.resolve(m.type())) instanceof BtfType.Int i
                        ? i.encoding() == BtfType.IntEncoding.SIGNED : ms instanceof EnumRef e && e.signed();
                if (bits.bits() == 1 && !signed && ms instanceof Prim) ms = BOOL; // a flag
                checkBits(ms, where);
                String constant = scope.unique(java.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT)
                        + "_BITS", "_");
                bitfields.add("        private static final FlatMember " + constant + " = new FlatMember(\"" + m.name() + "\", "
                        + bits.bitOffset() + "L, " + bits.bits() + ", " + m.type() + ");\n");
                components.add(javaType(ms) + " " + java);
                reads.add(readBits(ms, constant, signed));
                writes.add(writeBits(ms, constant, "this." + java));
            } else {
                if (m.bitOffset() % 8 != 0) throw new FormatException(where + " is not byte-aligned and not a bitfield");
                String off = "o + " + m.bitOffset() / 8;
                components.add(javaType(ms) + " " + java);
                reads.add(read(ms, "s", off, 0));
                writes.add(write(ms, "s", off, "this." + java, where, 0, "            "));
            }
        }
        int align = btf.alignOf(id);
        var src = new StringBuilder();
        src.append("    /** {@code struct ").append(s.name().isEmpty() ? "(anonymous)" : s.name()).append("} (")
                .append(s.size()).append(" bytes). */\n");
        src.append("    public record ").append(name).append('(').append(String.join(", ", components)).append(") {\n");
        src.append("        /** The struct's size in bytes. */\n");
        src.append("        public static final int SIZE = ").append(s.size()).append(";\n");
        src.append("        /** Encodes and decodes the struct, for maps and ring buffers. */\n");
        src.append("        public static final Codec<").append(name).append("> CODEC = Codec.of(SIZE, ").append(align)
                .append(", s -> read(s, 0), (v, s) -> v.write(s, 0));\n");
        for (String b : bitfields) src.append(b);
        src.append("\n        /** Reads the struct at byte {@code o} of {@code s}. */\n");
        src.append("        public static ").append(name).append(" read(MemorySegment s, long o) {\n");
        src.append("            return new ").append(name).append('(');
        src.append(reads.isEmpty() ? "" : "\n                    " + String.join(",\n                    ", reads));
        src.append(");\n        }\n\n");
        src.append("        /** Writes the struct at byte {@code o} of {@code s}, padding as zeros. */\n");
        src.append("        public void write(MemorySegment s, long o) {\n");
        src.append("            s.asSlice(o, SIZE).fill((byte) 0);\n");
        for (String w : writes) src.append("            ").append(w).append('\n');
        src.append("        }\n    }\n");
        declarations.add(src.toString());
        return shape;
    }

    // ---- code ----

    String javaType(Shape shape) {
        return switch (shape) {
            case Prim p -> p.java();
            case Chars c -> "String";
            case Opaque o -> "byte[]";
            case EnumRef e -> e.name();
            case RecordRef r -> r.name();
            case ArrayOf a -> javaType(a.element()) + "[]";
        };
    }

    String boxed(Shape shape) {
        return shape instanceof Prim p ? p.boxed() : javaType(shape);
    }

    /** An expression reading {@code shape} at offset expression {@code off} of segment {@code seg}. */
    String read(Shape shape, String seg, String off, int depth) {
        return switch (shape) {
            case Prim p when p.isBoolean() -> "(" + seg + ".get(ValueLayout.JAVA_BYTE, " + off + ") != 0)";
            case Prim p -> seg + ".get(ValueLayout." + p.layout() + ", " + off + ")";
            case Chars c -> outer + ".readChars(" + seg + ", " + off + ", " + c.size() + ")";
            case Opaque o -> outer + ".readBytes(" + seg + ", " + off + ", " + o.size() + ")";
            case EnumRef e -> e.name() + ".of(" + enumValue(e, seg, off) + ")";
            case RecordRef r -> r.name() + ".read(" + seg + ", " + off + ")";
            case ArrayOf a when a.element() instanceof Prim p ->
                    seg + ".asSlice(" + off + ", " + a.size() + ").toArray(ValueLayout." + p.layout() + ")";
            case ArrayOf a -> {
                String i = "i" + depth;
                yield outer + ".readArray(" + a.length() + ", " + i + " -> "
                        + read(a.element(), seg, off + " + " + i + " * " + a.element().size(), depth + 1)
                        + ", " + javaType(a.element()) + "[]::new)";
            }
        };
    }

    private String enumValue(EnumRef e, String seg, String off) {
        String raw = switch (e.size()) {
            case 1 -> seg + ".get(ValueLayout.JAVA_BYTE, " + off + ")";
            case 2 -> seg + ".get(ValueLayout.JAVA_SHORT_UNALIGNED, " + off + ")";
            case 4 -> seg + ".get(ValueLayout.JAVA_INT_UNALIGNED, " + off + ")";
            default -> seg + ".get(ValueLayout.JAVA_LONG_UNALIGNED, " + off + ")";
        };
        if (e.signed() || e.size() == 8) return raw;
        return switch (e.size()) {
            case 1 -> "Byte.toUnsignedLong(" + raw + ")";
            case 2 -> "Short.toUnsignedLong(" + raw + ")";
            default -> "Integer.toUnsignedLong(" + raw + ")";
        };
    }

    /** Statements writing {@code value} as {@code shape} at {@code off}; {@code where} names it in errors. */
    String write(Shape shape, String seg, String off, String value, String where, int depth, String indent) {
        return switch (shape) {
            case Prim p when p.isBoolean() -> seg + ".set(ValueLayout.JAVA_BYTE, " + off + ", (byte) (" + value + " ? 1 : 0));";
            case Prim p -> seg + ".set(ValueLayout." + p.layout() + ", " + off + ", " + value + ");";
            case Chars c -> outer + ".writeChars(" + seg + ", " + off + ", " + c.size() + ", " + value + ", \"" + where + "\");";
            case Opaque o -> outer + ".writeBytes(" + seg + ", " + off + ", " + o.size() + ", " + value + ", \"" + where + "\");";
            case EnumRef e -> seg + ".set(ValueLayout." + switch (e.size()) {
                case 1 -> "JAVA_BYTE, " + off + ", (byte) ";
                case 2 -> "JAVA_SHORT_UNALIGNED, " + off + ", (short) ";
                case 4 -> "JAVA_INT_UNALIGNED, " + off + ", (int) ";
                default -> "JAVA_LONG_UNALIGNED, " + off + ", ";
            } + value + ".value());";
            case RecordRef r -> value + ".write(" + seg + ", " + off + ");";
            case ArrayOf a when a.element() instanceof Prim p ->
                    outer + ".checkLength(" + value + ".length, " + a.length() + ", \"" + where + "\"); MemorySegment.copy("
                            + value + ", 0, " + seg + ", ValueLayout." + p.layout() + ", " + off + ", " + a.length() + ");";
            case ArrayOf a -> {
                String i = "i" + depth;
                yield outer + ".checkLength(" + value + ".length, " + a.length() + ", \"" + where + "\");\n"
                        + indent + "for (int " + i + " = 0; " + i + " < " + a.length() + "; " + i + "++) {\n"
                        + indent + "    " + write(a.element(), seg, off + " + " + i + " * " + a.element().size(),
                        value + "[" + i + "]", where, depth + 1, indent + "    ") + "\n"
                        + indent + "}";
            }
        };
    }

    /** Reads a bitfield through core's {@link FlatMember} coding, from the record at {@code o}. */
    private String readBits(Shape shape, String member, boolean signed) {
        String raw = member + ".readBits(s.asSlice(o), " + signed + ")";
        return switch (shape) {
            case Prim p when p.isBoolean() -> "(" + raw + " != 0)";
            case Prim p when p.java().equals("long") -> raw;
            case Prim p -> "(" + p.java() + ") " + raw;
            case EnumRef e -> e.name() + ".of(" + raw + ")";
            default -> throw new IllegalStateException();
        };
    }

    private String writeBits(Shape shape, String member, String value) {
        String v = switch (shape) {
            case Prim p when p.isBoolean() -> "(" + value + " ? 1L : 0L)";
            case EnumRef e -> value + ".value()";
            default -> value;
        };
        return member + ".writeBits(s.asSlice(o), " + v + ");";
    }

    private void checkBits(Shape shape, String where) {
        if (order != ByteOrder.LITTLE_ENDIAN) {
            throw new FormatException(where + ": bitfields of big-endian objects are not supported");
        }
        if (!(shape instanceof Prim p && !p.java().equals("float") && !p.java().equals("double")) && !(shape instanceof EnumRef)) {
            throw new FormatException(where + ": a bitfield of " + javaType(shape) + " cannot be mapped");
        }
    }

    /** A {@code Codec} expression for {@code shape}. */
    String codec(Shape shape) {
        return switch (shape) {
            case Prim p when p == BYTE -> "Codec.BYTE";
            case Prim p when p == SHORT -> "Codec.SHORT";
            case Prim p when p == INT -> "Codec.INT";
            case Prim p when p == LONG -> "Codec.LONG";
            case Prim p when p == FLOAT -> "Codec.FLOAT";
            case Prim p when p == DOUBLE -> "Codec.DOUBLE";
            case RecordRef r -> r.name() + ".CODEC";
            default -> "Codec.<" + boxed(shape) + ">of(" + shape.size() + ", 1, s -> " + read(shape, "s", "0", 0)
                    + ", (v, s) -> { " + write(shape, "s", "0", "v", "value", 0, "") .replace("\n", " ") + " })";
        };
    }
}
