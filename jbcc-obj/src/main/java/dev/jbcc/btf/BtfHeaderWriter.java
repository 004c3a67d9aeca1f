package dev.jbcc.btf;

import dev.jbcc.errors.FormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Writes BTF as a C header that clang compiles for {@code -target bpf}: the {@code vmlinux.h} that
 * CO-RE programs include. Every named struct, union, enum and typedef is defined, in an order
 * where each type is complete before it is used by value; struct and union tags are declared up
 * front so pointers never wait. Records come out with {@code preserve_access_index}, as libbpf's
 * {@code vmlinux.h} does, unless {@code BPF_NO_PRESERVE_ACCESS_INDEX} is defined.
 *
 * <p>Layout is reproduced exactly, not trusted to the compiler: each record is laid out as clang
 * would, and where BTF's offsets differ the writer adds unnamed bitfields as padding, or marks the
 * record {@code __attribute__((packed))} if members sit below their natural alignment. Enums whose
 * BTF size is not the compiler's choice get {@code __attribute__((mode(...)))}.
 *
 * <p>Names that BTF uses twice (kernel BTF has a few: different structs from different files with
 * one name) keep the plain name for the first definition; structurally identical repeats are
 * merged into it and different ones get a {@code ___2}, {@code ___3} suffix, which CO-RE ignores
 * when matching against the kernel. Enumerators that clash are renamed the same way. Functions,
 * variables and data sections are not written. Type tags and decl tags are dropped.
 *
 * <p>BTF that C cannot express (a member of a type without a size, a record containing itself,
 * a reference cycle) or whose header would be out of proportion to it (a record declaring
 * gigabytes of padding) throws {@link FormatException} naming the type: the header is at most
 * {@value #CHARS_PER_BYTE} characters per byte of BTF, plus {@value #BASE_ALLOWANCE}.
 */
public final class BtfHeaderWriter {
    private static final int NOT_VISITED = 0;
    private static final int VISITING = 1;
    private static final int DONE = 2;
    /** C's integer type keywords; an INT named otherwise (e.g. GCC's "ssizetype") is written by size. */
    private static final Set<String> INT_WORDS = Set.of("char", "short", "int", "long", "signed", "unsigned",
            "_Bool", "__int128");
    /** Output allowance: characters per byte of BTF, and a fixed amount on top for tiny blobs. */
    static final int CHARS_PER_BYTE = 16;
    static final int BASE_ALLOWANCE = 1 << 20;
    /** Deeper declarations than this come from reference cycles (a pointer to itself), not from C. */
    private static final int MAX_NESTING = 256;

    private final Btf btf;
    private final BtfType[] types;
    /** The C name (without {@code struct}/{@code union}/{@code enum}) of each named type's canonical id. */
    private final String[] names;
    /** For each id: the id whose definition stands for it (itself unless it repeats an earlier type). */
    private final int[] canonical;
    /** Enumerator names as written, per enum id. */
    private final String[][] enumerators;
    private final Layout[] layouts;

    private final Set<String> tagNames = new HashSet<>();
    /**
     * Typedef and enumerator names. Starts with clang's predefined typedefs: the kernel's
     * {@code __builtin_va_list} (x86's 24-byte array) is not BPF's ({@code void *}), so it is
     * written under a suffixed name that keeps the kernel's layout.
     */
    private final Set<String> ordinaryNames = new HashSet<>(Set.of("__builtin_va_list", "__builtin_ms_va_list",
            "__NSConstantString"));
    private final Map<String, List<Integer>> tagsByBaseName = new HashMap<>();
    private final Map<String, List<Integer>> typedefsByBaseName = new HashMap<>();

    // Emission state.
    /** Characters the header may have; {@link #spent} counts what is written against it. */
    private final long allowance;
    private long spent;
    /** The record or enum being written, for messages. */
    private int writing;
    private int nesting;
    /** Records whose layout is being computed: meeting one again means it contains itself. */
    private final boolean[] layingOut;
    private int[] state;
    private boolean[] anonEnumWritten;
    private StringBuilder out;

    /** Prepares names and layouts for every type of {@code btf}; write with {@link #write()}. */
    public BtfHeaderWriter(Btf btf) {
        this.btf = btf;
        int n = btf.typeCount();
        this.types = new BtfType[n];
        for (int id = 0; id < n; id++) {
            types[id] = btf.type(id);
        }
        this.names = new String[n];
        this.canonical = new int[n];
        this.enumerators = new String[n][];
        this.layouts = new Layout[n];
        this.layingOut = new boolean[n];
        this.allowance = BASE_ALLOWANCE + CHARS_PER_BYTE * btf.encodedSize();
        for (int id = 0; id < n; id++) {
            canonical[id] = id;
        }
        assignNames();
    }

    /** The whole BTF of {@code btf} as a header. */
    public static String header(Btf btf) {
        return new BtfHeaderWriter(btf).write();
    }

    /**
     * How the header spells type {@code id}: {@code "struct task_struct"}, {@code "union foo___2"},
     * {@code "enum bpf_map_type"}, {@code "u32"}; for other kinds, the declaration of an unnamed object.
     */
    public String typeName(int id) {
        spent = 0;
        return declaration(id, "", 0);
    }

    /** The header text. */
    public String write() {
        StringBuilder sb = new StringBuilder(1 << 20);
        try {
            write(sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return sb.toString();
    }

    /** Writes the header to {@code target}. */
    public void write(Appendable target) throws IOException {
        state = new int[types.length];
        anonEnumWritten = new boolean[types.length];
        target.append(body("__VMLINUX_H__", id -> true));
    }

    /**
     * A header for some of a split BTF's own types (a kernel module's), to be included after the
     * base's header (vmlinux.h as {@link #write()} writes it for the base alone): the types
     * {@code roots} name and the module's own types they depend on, defined in an order that
     * compiles. Base types are used, never redefined; a module type whose name the base already
     * has keeps its name where it is the same type, else gets a {@code ___N} suffix, as in
     * {@link #write()}. {@code guard} is the include guard's macro.
     *
     * @throws IllegalArgumentException if this BTF is not split or a root is not its own type
     */
    public String writeOwn(Collection<Integer> roots, String guard) {
        int first = btf.firstTypeId();
        if (btf.base() == null) {
            throw new IllegalArgumentException("BTF: writeOwn needs split BTF (a module's); this BTF has no base");
        }
        state = new int[types.length];
        anonEnumWritten = new boolean[types.length];
        for (int id = 0; id < first; id++) {
            state[id] = DONE; // defined by the base's header
            anonEnumWritten[id] = true;
        }
        boolean[] include = new boolean[types.length];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int root : roots) {
            if (root < first || root >= types.length) {
                throw new IllegalArgumentException("BTF: type id " + root + " is not one of this split BTF's own types ("
                        + first + ".." + (types.length - 1) + ")");
            }
            work.add(root);
        }
        while (!work.isEmpty()) {
            int id = canonical[work.pop()];
            if (id < first || include[id]) {
                continue;
            }
            include[id] = true;
            switch (types[id]) {
                case BtfType.Composite c -> c.members().forEach(m -> work.add(m.type()));
                case BtfType.FuncProto f -> {
                    work.add(f.returnType());
                    f.params().forEach(p -> work.add(p.type()));
                }
                case BtfType.Array a -> work.add(a.type());
                case BtfType.Typedef td -> work.add(td.type());
                case BtfType.Reference r -> work.add(r.type());
                default -> { }
            }
        }
        return body(guard, id -> include[id]).toString();
    }

    /** The header of the types {@code include} accepts, in {@link #state}'s starting state. */
    private StringBuilder body(String guard, IntPredicate include) {
        out = new StringBuilder(1 << 20);
        spent = 0;
        out.append("/* Generated by jbcc from BTF. DO NOT EDIT. */\n#ifndef ").append(guard)
                .append("\n#define ").append(guard).append("\n\n").append("""
                #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
                #pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
                #endif

                """);
        for (int id = 1; id < types.length; id++) {
            if (canonical[id] == id && names[id] != null && include.test(id)
                    && (types[id] instanceof BtfType.Composite || types[id] instanceof BtfType.Fwd)) {
                out.append(tagKeyword(types[id])).append(' ').append(names[id]).append(";\n");
            }
        }
        out.append('\n');
        for (int id = 1; id < types.length; id++) {
            if (canonical[id] == id && names[id] != null && include.test(id)
                    && types[id] instanceof BtfType.Enumeration e) {
                if (e.values().isEmpty()) {
                    // BTF's forward declaration of an enum (6.1's vmlinux has some, e.g.
                    // nf_nat_manip_type); C has no empty enum body.
                    out.append("enum ").append(names[id]).append(";\n\n");
                    continue;
                }
                writeEnum(id, e, names[id], 0);
                out.append(";\n\n");
            }
        }
        for (int id = 1; id < types.length; id++) {
            if (canonical[id] != id || names[id] == null || !include.test(id)) {
                continue;
            }
            switch (types[id]) {
                case BtfType.Composite c -> defineComposite(id);
                case BtfType.Typedef t -> defineTypedef(id);
                default -> { }
            }
        }
        // Anonymous enums nothing inlined (kernel constants like the BTF_KIND_* enum), once each.
        Set<List<BtfType.EnumValue>> seen = new HashSet<>();
        for (int id = 1; id < types.length; id++) {
            if (types[id] instanceof BtfType.Enumeration e && e.name().isEmpty() && !anonEnumWritten[id]
                    && include.test(id) && seen.add(e.values())) {
                anonEnumWritten[id] = true;
                writeEnum(id, e, "", 0);
                out.append(";\n\n");
            }
        }
        out.append("""
                #ifndef BPF_NO_PRESERVE_ACCESS_INDEX
                #pragma clang attribute pop
                #endif

                """).append("#endif /* ").append(guard).append(" */\n");
        StringBuilder done = out;
        out = null;
        return done;
    }

    // ---------------------------------------------------------------------------------------------
    // Names

    private void assignNames() {
        // Definitions first, so that a forward declaration that comes earlier by id still maps onto
        // the definition's plain name.
        for (int id = 1; id < types.length; id++) {
            BtfType t = types[id];
            switch (t) {
                case BtfType.Composite c when !c.name().isEmpty() -> nameTag(id, c.name());
                case BtfType.Enumeration e -> {
                    if (!e.name().isEmpty()) {
                        nameTag(id, e.name());
                    }
                    if (canonical[id] == id) {
                        String[] en = new String[e.values().size()];
                        for (int i = 0; i < en.length; i++) {
                            en[i] = unique(ordinaryNames, e.values().get(i).name());
                        }
                        enumerators[id] = en;
                    } else {
                        enumerators[id] = enumerators[canonical[id]];
                    }
                }
                case BtfType.Typedef td -> nameTypedef(id, td.name());
                default -> { }
            }
        }
        for (int id = 1; id < types.length; id++) {
            if (types[id] instanceof BtfType.Fwd f) {
                List<Integer> same = tagsByBaseName.computeIfAbsent(f.name(), k -> new ArrayList<>());
                Integer match = null;
                for (int candidate : same) {
                    BtfType c = types[candidate];
                    if ((c instanceof BtfType.Union) == f.union()
                            && (c instanceof BtfType.Composite || c instanceof BtfType.Fwd)) {
                        match = candidate;
                        break;
                    }
                }
                if (match != null) {
                    canonical[id] = match;
                } else {
                    names[id] = unique(tagNames, f.name());
                    same.add(id);
                }
            }
        }
    }

    private void nameTag(int id, String name) {
        List<Integer> same = tagsByBaseName.computeIfAbsent(name, k -> new ArrayList<>());
        for (int candidate : same) {
            if (equivalent(id, candidate, new HashSet<>())) {
                canonical[id] = candidate;
                return;
            }
        }
        names[id] = unique(tagNames, name);
        same.add(id);
    }

    private void nameTypedef(int id, String name) {
        List<Integer> same = typedefsByBaseName.computeIfAbsent(name, k -> new ArrayList<>());
        for (int candidate : same) {
            if (equivalent(id, candidate, new HashSet<>())) {
                canonical[id] = candidate;
                return;
            }
        }
        names[id] = unique(ordinaryNames, name);
        same.add(id);
    }

    /** {@code name}, or {@code name___N} with the first N from 2 that is still free. */
    private static String unique(Set<String> used, String name) {
        if (used.add(name)) {
            return name;
        }
        for (int n = 2; ; n++) {
            String candidate = name + "___" + n;
            if (used.add(candidate)) {
                return candidate;
            }
        }
    }

    /**
     * Whether two types would be written identically. Pairs under comparison are assumed equal, so
     * that recursive types (a list node pointing to itself) compare in finite time.
     */
    private boolean equivalent(int a, int b, Set<Long> assumed) {
        if (a == b) {
            return true;
        }
        if (!assumed.add(((long) a << 32) | b)) {
            return true;
        }
        BtfType ta = types[a];
        BtfType tb = types[b];
        if (ta.kind() != tb.kind()) {
            // A forward declaration stands for the definition of the same tag.
            return (ta instanceof BtfType.Fwd || tb instanceof BtfType.Fwd)
                    && ta.name().equals(tb.name()) && isUnionTag(ta) == isUnionTag(tb)
                    && (ta instanceof BtfType.Composite || tb instanceof BtfType.Composite);
        }
        return switch (ta) {
            case BtfType.Typedef x -> x.name().equals(tb.name()) && equivalent(x.type(), ((BtfType.Typedef) tb).type(), assumed);
            case BtfType.Reference x -> x.name().equals(tb.name()) && equivalent(x.type(), ((BtfType.Reference) tb).type(), assumed);
            case BtfType.Array x -> x.length() == ((BtfType.Array) tb).length()
                    && equivalent(x.type(), ((BtfType.Array) tb).type(), assumed);
            case BtfType.Composite x -> {
                BtfType.Composite y = (BtfType.Composite) tb;
                if (!x.name().equals(y.name()) || x.size() != y.size() || x.members().size() != y.members().size()) {
                    yield false;
                }
                for (int i = 0; i < x.members().size(); i++) {
                    BtfType.Member mx = x.members().get(i);
                    BtfType.Member my = y.members().get(i);
                    if (!mx.name().equals(my.name()) || mx.bitOffset() != my.bitOffset()
                            || mx.bitfieldSize() != my.bitfieldSize() || !equivalent(mx.type(), my.type(), assumed)) {
                        yield false;
                    }
                }
                yield true;
            }
            case BtfType.FuncProto x -> {
                BtfType.FuncProto y = (BtfType.FuncProto) tb;
                if (x.variadic() != y.variadic() || x.params().size() != y.params().size()
                        || !equivalent(x.returnType(), y.returnType(), assumed)) {
                    yield false;
                }
                for (int i = 0; i < x.params().size(); i++) {
                    if (!equivalent(x.params().get(i).type(), y.params().get(i).type(), assumed)) {
                        yield false;
                    }
                }
                yield true;
            }
            default -> ta.equals(tb);
        };
    }

    private static boolean isUnionTag(BtfType t) {
        return t instanceof BtfType.Union || (t instanceof BtfType.Fwd f && f.union());
    }

    private static String tagKeyword(BtfType t) {
        return isUnionTag(t) ? "union" : t instanceof BtfType.Enumeration ? "enum" : "struct";
    }

    // ---------------------------------------------------------------------------------------------
    // Order: a depth-first walk that writes each definition after what it needs

    /** Makes sure what a use of {@code id} needs is written: complete types for by-value uses. */
    private void need(int id, boolean complete) {
        enter(id);
        try {
            needNested(id, complete);
        } finally {
            nesting--;
        }
    }

    private void needNested(int id, boolean complete) {
        BtfType t = types[id];
        switch (t) {
            case BtfType.Ptr p -> need(p.type(), false);
            case BtfType.Array a -> need(a.type(), true); // C wants complete element types
            case BtfType.Typedef td -> {
                defineTypedef(canonical[id]);
                if (complete) {
                    need(td.type(), true);
                }
            }
            case BtfType.Reference r -> need(r.type(), complete);
            case BtfType.FuncProto f -> {
                need(f.returnType(), false);
                for (BtfType.Param p : f.params()) {
                    need(p.type(), false);
                }
            }
            case BtfType.Composite c -> {
                if (c.name().isEmpty()) {
                    if (state[id] == NOT_VISITED) {
                        state[id] = VISITING;
                        for (BtfType.Member m : c.members()) {
                            need(m.type(), true); // written inline: its members must be complete
                        }
                        state[id] = DONE;
                    }
                } else if (complete) {
                    defineComposite(canonical[id]);
                }
            }
            default -> { }
        }
    }

    private void defineTypedef(int id) {
        if (state[id] != NOT_VISITED) {
            return;
        }
        state[id] = VISITING;
        BtfType.Typedef td = (BtfType.Typedef) types[id];
        need(td.type(), false);
        out.append("typedef ").append(declaration(td.type(), names[id], 0)).append(";\n\n");
        state[id] = DONE;
    }

    private void defineComposite(int id) {
        if (state[id] != NOT_VISITED) {
            return; // DONE, or VISITING: a by-value cycle, which valid BTF cannot have
        }
        state[id] = VISITING;
        for (BtfType.Member m : ((BtfType.Composite) types[id]).members()) {
            need(m.type(), true);
        }
        writeComposite(id, 0);
        out.append(";\n\n");
        state[id] = DONE;
    }

    // ---------------------------------------------------------------------------------------------
    // Declarations

    /**
     * The C declaration of {@code declarator} with type {@code id}, e.g. {@code int (*name)[4]}.
     * Built from the declarator outwards: pointers prefix it, arrays and parameter lists suffix it.
     */
    private String declaration(int id, String declarator, int indent) {
        enter(id);
        try {
            return declarationNested(id, declarator, indent);
        } finally {
            nesting--;
        }
    }

    private void enter(int id) {
        if (++nesting > MAX_NESTING) {
            throw new FormatException("BTF: type id " + id + " (" + btf.describe(id) + ") is declared through more than "
                    + MAX_NESTING + " nested types: a reference cycle, which C cannot declare");
        }
    }

    /** Counts {@code chars} more of output against the allowance. */
    private void charge(long chars) {
        spent += chars;
        if (spent > allowance) {
            throw new FormatException("BTF: the header would exceed " + allowance + " characters (" + CHARS_PER_BYTE
                    + " per byte of BTF) while writing type id " + writing + " (" + btf.describe(writing)
                    + "): its size or nesting is out of proportion to the BTF that declares it");
        }
    }

    private String declarationNested(int id, String declarator, int indent) {
        BtfType t = types[id];
        return switch (t) {
            case BtfType.Void v -> join("void", declarator);
            case BtfType.Int i -> join(intName(i), declarator);
            case BtfType.Float f -> join(f.name(), declarator);
            case BtfType.Ptr p -> {
                String inner = "*" + declarator;
                BtfType target = types[stripQualifiers(p.type())];
                if (target instanceof BtfType.Array || target instanceof BtfType.FuncProto) {
                    inner = "(" + inner + ")";
                }
                yield declaration(p.type(), inner, indent);
            }
            case BtfType.Array a -> declaration(a.type(), declarator + "[" + Integer.toUnsignedString(a.length()) + "]",
                    indent);
            case BtfType.Const c -> qualified("const", c.type(), declarator, indent);
            case BtfType.Volatile v -> qualified("volatile", v.type(), declarator, indent);
            case BtfType.Restrict r -> qualified("restrict", r.type(), declarator, indent);
            case BtfType.TypeTag tt -> declaration(tt.type(), declarator, indent);
            case BtfType.Typedef td -> join(names[canonical[id]], declarator);
            case BtfType.FuncProto f -> {
                StringBuilder params = new StringBuilder(declarator).append('(');
                for (int i = 0; i < f.params().size(); i++) {
                    if (i > 0) {
                        params.append(", ");
                    }
                    // Parameter names are left out: they could shadow typedef names used later in the list.
                    params.append(declaration(f.params().get(i).type(), "", indent));
                }
                if (f.variadic()) {
                    params.append(f.params().isEmpty() ? "..." : ", ...");
                } else if (f.params().isEmpty()) {
                    params.append("void");
                }
                yield declaration(f.returnType(), params.append(')').toString(), indent);
            }
            case BtfType.Composite c when c.name().isEmpty() -> {
                StringBuilder sb = new StringBuilder();
                StringBuilder saved = out;
                out = sb;
                writeComposite(id, indent);
                out = saved;
                yield join(sb.toString(), declarator);
            }
            case BtfType.Composite c -> join(tagKeyword(c) + " " + names[canonical[id]], declarator);
            case BtfType.Fwd f -> join(tagKeyword(f) + " " + names[canonical[id]], declarator);
            case BtfType.Enumeration e when e.name().isEmpty() -> {
                if (anonEnumWritten == null || anonEnumWritten[id]) {
                    // Already defined once: enumerators cannot be repeated, so use the integer type.
                    yield join(integerOfSize(e.size(), e.signed()), declarator);
                }
                anonEnumWritten[id] = true;
                StringBuilder sb = new StringBuilder();
                StringBuilder saved = out;
                out = sb;
                writeEnum(id, e, "", indent);
                out = saved;
                yield join(sb.toString(), declarator);
            }
            case BtfType.Enumeration e -> join("enum " + names[canonical[id]], declarator);
            // Not types C can declare objects with; written as their underlying type for completeness.
            case BtfType.Func f -> declaration(f.type(), declarator, indent);
            case BtfType.Var v -> declaration(v.type(), declarator, indent);
            case BtfType.DataSec d -> join("struct /* DATASEC " + d.name() + " */", declarator);
            case BtfType.DeclTag d -> declaration(d.type(), declarator, indent);
        };
    }

    private String qualified(String qualifier, int target, String declarator, int indent) {
        BtfType t = types[stripQualifiers(target)];
        if (t instanceof BtfType.Ptr) {
            // A qualified pointer: the qualifier goes after the '*', i.e. before the declarator.
            return declaration(target, declarator.isEmpty() ? qualifier : qualifier + " " + declarator, indent);
        }
        if (t instanceof BtfType.Array || t instanceof BtfType.FuncProto) {
            // C qualifies array elements, not arrays; a qualified function type is meaningless.
            return declaration(target, declarator, indent);
        }
        return qualifier + " " + declaration(target, declarator, indent);
    }

    private int stripQualifiers(int id) {
        for (int depth = 0; depth < 64; depth++) {
            switch (types[id]) {
                case BtfType.Const c -> id = c.type();
                case BtfType.Volatile v -> id = v.type();
                case BtfType.Restrict r -> id = r.type();
                case BtfType.TypeTag tt -> id = tt.type();
                default -> {
                    return id;
                }
            }
        }
        return id;
    }

    private static String join(String type, String declarator) {
        if (declarator.isEmpty()) {
            return type;
        }
        return type + " " + declarator;
    }

    private static String intName(BtfType.Int i) {
        boolean valid = !i.name().isEmpty();
        for (String word : i.name().split(" ")) {
            valid &= INT_WORDS.contains(word);
        }
        if (valid) {
            return i.name();
        }
        if (i.encoding() == BtfType.IntEncoding.BOOL) {
            return "_Bool";
        }
        return integerOfSize(i.size(), i.encoding() == BtfType.IntEncoding.SIGNED);
    }

    private static String integerOfSize(int size, boolean signed) {
        String base = switch (size) {
            case 1 -> "char";
            case 2 -> "short";
            case 8 -> "long long";
            case 16 -> "__int128";
            default -> "int";
        };
        return (signed ? "signed " : "unsigned ") + base;
    }

    // ---------------------------------------------------------------------------------------------
    // Definitions

    private void writeEnum(int id, BtfType.Enumeration e, String name, int indent) {
        writing = id;
        out.append("enum ");
        if (!name.isEmpty()) {
            out.append(name).append(' ');
        }
        out.append("{\n");
        String[] en = enumerators[id];
        boolean allInt = true;
        boolean allUnsignedInt = true;
        for (int i = 0; i < en.length; i++) {
            long v = e.values().get(i).value();
            charge(en[i].length());
            indent(indent + 1).append(en[i]).append(" = ");
            // A 32-bit enum's values are widened by their signedness already; unsigned 64-bit ones are raw bits.
            if (e instanceof BtfType.Enum64 && !e.signed() && v < 0) {
                out.append(Long.toUnsignedString(v)).append("ULL");
                allInt = false;
                allUnsignedInt = false;
            } else {
                if (v == Long.MIN_VALUE) {
                    out.append("(-9223372036854775807LL - 1)");
                } else {
                    out.append(v).append(v > Integer.MAX_VALUE || v < Integer.MIN_VALUE ? "LL" : "");
                }
                allInt &= v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
                allUnsignedInt &= v >= 0 && v <= 0xffff_ffffL;
            }
            out.append(",\n");
        }
        indent(indent).append('}');
        // Clang makes an enum 4 bytes if its values fit int or unsigned int, else 8; BTF may say
        // otherwise (packed enums, or 64-bit enums with small values).
        int natural = allInt || allUnsignedInt ? 4 : 8;
        if (e.size() != natural) {
            String mode = switch (e.size()) {
                case 1 -> "QI";
                case 2 -> "HI";
                case 4 -> "SI";
                default -> "DI";
            };
            out.append(" __attribute__((mode(").append(mode).append(")))");
        }
    }

    private void writeComposite(int id, int indent) {
        BtfType.Composite c = (BtfType.Composite) types[id];
        Layout layout = layout(id);
        int outer = writing;
        writing = id;
        out.append(tagKeyword(c));
        if (!c.name().isEmpty()) {
            out.append(' ').append(names[id]);
        }
        out.append(" {\n");
        for (Item item : layout.items) {
            if (item.member == null && c instanceof BtfType.Union) {
                // Union members all start at 0: padding to the size needs a struct around it.
                indent(indent + 1).append("struct {\n");
                writePadding(0, item.paddingBits, indent + 2);
                indent(indent + 1).append("};\n");
                continue;
            }
            if (item.member == null) {
                writePadding(item.paddingFrom, item.paddingBits, indent + 1);
                continue;
            }
            BtfType.Member m = item.member;
            String declaration = declaration(m.type(), m.name(), indent + 1);
            writing = id;
            charge(declaration.length());
            indent(indent + 1).append(declaration);
            if (m.bitfieldSize() != 0) {
                out.append(": ").append(m.bitfieldSize());
            }
            out.append(";\n");
        }
        indent(indent).append('}');
        if (layout.packed) {
            out.append(" __attribute__((packed))");
        }
        writing = outer;
    }

    /**
     * Unnamed {@code long} bitfields covering {@code bits} bits from bit {@code from}. None crosses
     * a 64-bit boundary, so clang places each exactly where the last ended; unnamed bitfields do
     * not change a record's alignment.
     */
    private void writePadding(long from, long bits, int indent) {
        long pos = from;
        long left = bits;
        while (left > 0) {
            long chunk = Math.min(left, 64 - (pos % 64));
            indent(indent).append("long: ").append(chunk).append(";\n");
            pos += chunk;
            left -= chunk;
        }
    }

    /** Starts a line at {@code level}; each line counts against the allowance. */
    private StringBuilder indent(int level) {
        charge(level + 32L);
        for (int i = 0; i < level; i++) {
            out.append('\t');
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Layout

    /** A member to write, or padding ({@code member == null}). */
    private record Item(BtfType.Member member, long paddingFrom, long paddingBits) {}

    private record Layout(boolean packed, int align, List<Item> items) {}

    /** The layout the writer gives record {@code id}: natural if that matches BTF, else packed. */
    private Layout layout(int id) {
        Layout l = layouts[id];
        if (l == null) {
            if (layingOut[id]) {
                throw new FormatException("BTF: type id " + id + " (" + btf.describe(id)
                        + ") contains itself by value, which no C record can");
            }
            layingOut[id] = true;
            BtfType.Composite c = (BtfType.Composite) types[id];
            try {
                if (c instanceof BtfType.Union u) {
                    l = unionLayout(id, u);
                } else if (c instanceof BtfType.Struct s) {
                    l = structLayout(id, s, false);
                    if (l == null) {
                        l = structLayout(id, s, true);
                    }
                }
            } finally {
                layingOut[id] = false;
            }
            if (l == null) {
                // Members overlap or do not fit: not a C layout. Write the members anyway.
                List<Item> items = new ArrayList<>();
                for (BtfType.Member m : c.members()) {
                    items.add(new Item(m, 0, 0));
                }
                l = new Layout(true, 1, items);
            }
            layouts[id] = l;
        }
        return l;
    }

    /** Whether a member is written: unnamed members that are not records are holes to pad. */
    private boolean written(BtfType.Member m) {
        return !m.name().isEmpty() || types[stripQualifiers(m.type())] instanceof BtfType.Composite;
    }

    /** The width in bits of a member that is not a bitfield: its type must have a size. */
    private long memberBits(int recordId, BtfType.Member m) {
        try {
            return btf.sizeOf(m.type()) * 8;
        } catch (IllegalArgumentException e) {
            throw new FormatException("BTF: member '" + m.name() + "' of type id " + recordId + " (" + btf.describe(recordId)
                    + ") has type id " + m.type() + " (" + btf.describe(m.type()) + "), which has no size", e);
        }
    }

    private Layout structLayout(int id, BtfType.Struct s, boolean packed) {
        List<Item> items = new ArrayList<>();
        long pos = 0;
        int maxAlign = 1;
        for (BtfType.Member m : s.members()) {
            if (!written(m)) {
                continue;
            }
            int align = emittedAlign(m.type());
            long width;
            long start;
            if (m.bitfieldSize() != 0) {
                width = m.bitfieldSize();
                start = pos;
                long unit = align * 8L;
                if (!packed && start / unit != (start + width - 1) / unit) {
                    start = roundUp(start, unit); // clang does not let a bitfield straddle its unit
                }
            } else {
                width = memberBits(id, m);
                start = packed ? roundUp(pos, 8) : roundUp(pos, align * 8L);
            }
            if (!packed) {
                maxAlign = Math.max(maxAlign, align);
            }
            if (m.bitOffset() < start) {
                return null; // below its natural place: only packing gets it there
            }
            if (m.bitOffset() > start) {
                items.add(new Item(null, pos, m.bitOffset() - pos));
                // After padding the member must still start at its own offset.
                if (m.bitfieldSize() != 0) {
                    long unit = align * 8L;
                    if (!packed && m.bitOffset() / unit != (m.bitOffset() + width - 1) / unit) {
                        return null;
                    }
                } else if (!packed && m.bitOffset() % (align * 8L) != 0) {
                    return null;
                } else if (m.bitOffset() % 8 != 0) {
                    return null;
                }
            }
            items.add(new Item(m, 0, 0));
            pos = m.bitOffset() + width;
        }
        long size = s.size() * 8L;
        long natural = roundUp(pos, maxAlign * 8L);
        if (natural > size || size % (maxAlign * 8L) != 0) {
            return null;
        }
        if (pos < size) {
            items.add(new Item(null, pos, size - pos));
        }
        return new Layout(packed, packed ? 1 : maxAlign, items);
    }

    private Layout unionLayout(int id, BtfType.Union u) {
        List<Item> items = new ArrayList<>();
        long maxBits = 0;
        int maxAlign = 1;
        for (BtfType.Member m : u.members()) {
            if (!written(m)) {
                continue;
            }
            int align = emittedAlign(m.type());
            maxAlign = Math.max(maxAlign, align);
            long width = m.bitfieldSize() != 0 ? roundUp(m.bitfieldSize(), align * 8L) : memberBits(id, m);
            maxBits = Math.max(maxBits, width);
            items.add(new Item(m, 0, 0));
        }
        long size = u.size() * 8L;
        boolean packed = false;
        if (roundUp(maxBits, maxAlign * 8L) > size || size % (maxAlign * 8L) != 0) {
            packed = true;
            maxAlign = 1;
            if (roundUp(maxBits, 8) > size) {
                return null;
            }
        }
        if (roundUp(maxBits, maxAlign * 8L) < size) {
            items.add(new Item(null, 0, size)); // written as an anonymous struct of padding
        }
        return new Layout(packed, maxAlign, items);
    }

    /** Alignment clang gives a type as this header writes it (packed records: 1). */
    private int emittedAlign(int id) {
        for (int depth = 0; depth < 64; depth++) {
            switch (types[id]) {
                case BtfType.Int i -> {
                    return Math.max(1, Math.min(i.size(), 16));
                }
                case BtfType.Float f -> {
                    return Math.max(1, Math.min(f.size(), 16));
                }
                case BtfType.Enumeration e -> {
                    return Math.max(1, Math.min(e.size(), 8));
                }
                case BtfType.Ptr p -> {
                    return Btf.POINTER_SIZE;
                }
                case BtfType.Array a -> id = a.type();
                case BtfType.Reference r -> id = r.type();
                case BtfType.Composite c -> {
                    return layout(canonical[id]).align;
                }
                default -> {
                    return 1;
                }
            }
        }
        return 1;
    }

    private static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }
}
