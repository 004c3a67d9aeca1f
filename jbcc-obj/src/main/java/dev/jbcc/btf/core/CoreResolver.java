package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfKind;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.CoreReloKind;
import dev.jbcc.errors.CoreRelocationException;
import dev.jbcc.errors.FormatException;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Resolves the CO-RE relocations of one object (its {@code local} BTF) against a {@code target}
 * BTF, normally {@link Btf#kernel()}, and optionally kernel modules' BTF: a type is looked for in
 * the modules only when vmlinux has no candidate for it, as libbpf does.
 *
 * <p>For each relocation: parse the access string on the local type; find the target types of the
 * same kind and essential name ({@code task_struct___v1} looks for {@code task_struct}); match the
 * access on each (fields by name, through anonymous members; array indices within bounds; types by
 * {@link TypeCompat}); compute the value on both sides. Candidates that match must agree, or the
 * relocation is ambiguous. When none matches, the {@code *_EXISTS}, {@code TYPE_MATCHES},
 * {@code TYPE_SIZE} and {@code TYPE_ID_TARGET} kinds give 0 and the others poison their instruction.
 *
 * <p>As libbpf does, the candidates a relocation matched are remembered for the next relocation on
 * the same local type, so later ones choose among the survivors. Not thread-safe: use one resolver
 * per load.
 */
public final class CoreResolver {
    private final Btf local;
    private final Btf target;
    /** Read on first need: most objects never look past vmlinux, and reading every module's BTF costs. */
    private final Supplier<List<Btf>> modules;
    private final boolean signExtendingLoads;
    /** Candidates per local root type id, narrowed as relocations match. */
    private final Map<Integer, Candidate[]> candidates = new HashMap<>();

    /** A target type: its id in {@code btf}, which is vmlinux or a module's split BTF. */
    private record Candidate(Btf btf, int id) {}

    private CoreResolver(Btf local, Btf target, Supplier<List<Btf>> modules, boolean signExtendingLoads) {
        this.local = local;
        this.target = target;
        this.modules = modules;
        this.signExtendingLoads = signExtendingLoads;
    }

    /** A resolver for relocations of an object with BTF {@code local} against {@code target}. */
    public static CoreResolver of(Btf local, Btf target) {
        return of(local, target, List.of());
    }

    /**
     * A resolver against vmlinux BTF {@code target} and kernel modules' BTF ({@link
     * Btf#kernelModule}, split BTF over {@code target}); modules are searched, in list order, only
     * for types vmlinux has no candidate for.
     *
     * @throws IllegalArgumentException if a module's BTF is not split over {@code target}
     */
    public static CoreResolver of(Btf local, Btf target, List<Btf> modules) {
        List<Btf> copy = checkSplitOver(target, List.copyOf(modules));
        return of(local, target, () -> copy);
    }

    /**
     * A resolver against vmlinux BTF {@code target} and the module BTFs {@code modules} supplies,
     * asked for once, when a type first has no candidate in vmlinux (e.g. {@link Btf#kernelModules}).
     */
    public static CoreResolver of(Btf local, Btf target, Supplier<List<Btf>> modules) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(modules, "modules");
        Supplier<List<Btf>> once = new Supplier<>() {
            private List<Btf> read;

            @Override
            public List<Btf> get() {
                if (read == null) read = checkSplitOver(target, List.copyOf(modules.get()));
                return read;
            }
        };
        return new CoreResolver(local, target, once, false);
    }

    private static List<Btf> checkSplitOver(Btf target, List<Btf> modules) {
        for (Btf m : modules) {
            if (m.base() != target) {
                throw new IllegalArgumentException("module BTF must be split BTF over the target (vmlinux) BTF;"
                        + " read it with Btf.kernelModule(name)");
            }
        }
        return modules;
    }

    /**
     * This resolver, but a load of a signed integer field whose size differs in the kernel becomes a
     * sign-extending load ({@code BPF_MEMSX}) of the kernel's size instead of being poisoned, so it
     * reads the same value. Only for kernels that have {@code BPF_MEMSX} (Linux 6.6, cpu v4): on
     * older ones the verifier rejects the instruction if it is reachable. Stores of such fields are
     * still poisoned, and unsigned integers and pointers are resized either way.
     */
    public CoreResolver withSignExtendingLoads() {
        return new CoreResolver(local, target, modules, true);
    }

    public Btf local() {
        return local;
    }

    public Btf target() {
        return target;
    }

    /** The module BTFs searched after vmlinux (read now if they were not yet). */
    public List<Btf> modules() {
        return modules.get();
    }

    /**
     * The target types that are candidates for local type {@code localTypeId}: same kind, same
     * essential name. Ids are vmlinux's, or, when vmlinux has none, those of the module BTFs.
     */
    public int[] candidates(int localTypeId) {
        Candidate[] c = candidatesOf(localTypeId);
        int[] ids = new int[c.length];
        for (int i = 0; i < c.length; i++) ids[i] = c[i].id();
        return ids;
    }

    private Candidate[] candidatesOf(int localTypeId) {
        return candidates.computeIfAbsent(localTypeId, id -> {
            String essential = Names.essential(local.name(id));
            Candidate[] inVmlinux = search(target, essential, local.kind(id), true);
            if (inVmlinux.length > 0) return inVmlinux;
            List<Candidate> inModules = new ArrayList<>();
            for (Btf module : modules.get()) inModules.addAll(List.of(search(module, essential, local.kind(id), false)));
            return inModules.toArray(Candidate[]::new);
        });
    }

    private static Candidate[] search(Btf btf, String essential, BtfKind kind, boolean withBase) {
        int[] ids = TargetIndex.candidates(btf, essential, kind, withBase);
        Candidate[] out = new Candidate[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = new Candidate(btf, ids[i]);
        return out;
    }

    /**
     * Resolves one relocation ({@code struct bpf_core_relo}).
     *
     * @param typeId       the local root type id
     * @param accessString the access string, e.g. {@code "0:1:2"}; {@code "0"} for type relocations
     * @param kind         what the instruction needs
     * @throws FormatException         if the access string does not fit the local type
     * @throws CoreRelocationException if the local type is anonymous or the candidates disagree
     */
    public CoreFixup resolve(int typeId, String accessString, CoreReloKind kind) {
        Objects.requireNonNull(accessString, "accessString");
        Objects.requireNonNull(kind, "kind");
        CoreSpec localSpec = CoreSpec.parse(local, typeId, accessString, kind);
        String subject = subject(localSpec);
        if (kind == CoreReloKind.TYPE_ID_LOCAL) {
            // The object's own id: nothing to search. Linking may renumber it, so it is not checked.
            return new CoreFixup(kind, subject, typeId, typeId, false, 0, 0, false, false, null);
        }
        String localName = local.name(typeId);
        if (localName.isEmpty()) {
            throw new CoreRelocationException(kind + " relocation on " + subject + ": CO-RE finds kernel types by name, "
                    + "and this type has none; use a named struct, union, enum or typedef");
        }
        Value localValue = calculate(localSpec, localSpec);

        Candidate[] found = candidatesOf(typeId);
        Candidate[] matched = new Candidate[found.length];
        int matchedCount = 0;
        CoreSpec chosenSpec = null;
        Value chosen = null;
        String firstMismatch = null;
        for (Candidate candidate : found) {
            CoreSpec targetSpec = new CoreSpec(candidate.btf(), candidate.id(), kind);
            String mismatch = match(localSpec, targetSpec);
            if (mismatch != null) {
                if (firstMismatch == null) firstMismatch = mismatch;
                continue;
            }
            Value value = calculate(localSpec, targetSpec);
            if (chosen == null) {
                chosen = value;
                chosenSpec = targetSpec;
            } else if (targetSpec.bitOffset != chosenSpec.bitOffset || value.value != chosen.value) {
                throw new CoreRelocationException(kind + " relocation of " + subject + " is ambiguous: kernel "
                        + CoreSpec.describeType(chosenSpec.btf, chosenSpec.rootTypeId) + " (id " + chosenSpec.rootTypeId
                        + ") gives " + chosen.value + " but " + CoreSpec.describeType(candidate.btf(), candidate.id())
                        + " (id " + candidate.id() + ") gives " + value.value
                        + "; use a local ___flavour definition that matches only one of them");
            }
            matched[matchedCount++] = candidate;
        }
        if (matchedCount > 0) {
            candidates.put(typeId, Arrays.copyOf(matched, matchedCount));
            boolean resized = localValue.accessSize != chosen.accessSize;
            boolean resizeUnsafe = resized && !resizable(local, localValue.accessTypeId, chosenSpec.btf, chosen.accessTypeId);
            boolean signExtends = resizeUnsafe && signExtendingLoads
                    && bothSignedInts(local, localValue.accessTypeId, chosenSpec.btf, chosen.accessTypeId);
            return new CoreFixup(kind, subject, localValue.value, chosen.value, localValue.check,
                    localValue.accessSize, chosen.accessSize, resizeUnsafe, signExtends, null);
        }
        Value missing = calculate(localSpec, null);
        CoreFixup.Poison poison = missing.poison
                ? new CoreFixup.Poison(firstMismatch != null ? firstMismatch : noCandidate(localSpec), fixFor(kind))
                : null;
        return new CoreFixup(kind, subject, localValue.value, missing.value, localValue.check,
                localValue.accessSize, 0, false, false, poison);
    }

    // ---------------------------------------------------------------------------------------------
    // Matching a candidate

    /** Fills {@code targetSpec} for the candidate at its root; returns null on a match, else why not (a clause). */
    private String match(CoreSpec localSpec, CoreSpec targetSpec) {
        Btf target = targetSpec.btf; // vmlinux, or the module BTF the candidate is in
        CoreReloKind kind = localSpec.kind;
        int targetId = targetSpec.rootTypeId;
        if (kind.isType()) {
            boolean ok = kind == CoreReloKind.TYPE_MATCHES
                    ? TypeCompat.typesMatch(local, localSpec.rootTypeId, target, targetId)
                    : TypeCompat.typesCompatible(local, localSpec.rootTypeId, target, targetId);
            return ok ? null : "which does not match kernel " + CoreSpec.describeType(target, targetId);
        }
        if (kind.isEnumValue()) {
            targetId = target.resolve(targetId);
            if (!(target.type(targetId) instanceof BtfType.Enumeration e)) {
                return "but kernel " + CoreSpec.describeType(target, targetSpec.rootTypeId) + " is no enum";
            }
            String wanted = localSpec.accessorName[0];
            for (int i = 0; i < e.values().size(); i++) {
                String name = e.values().get(i).name();
                if (Names.match(wanted, name) && !name.isEmpty()) {
                    targetSpec.push(targetId, i, name);
                    targetSpec.pushRaw(i);
                    return null;
                }
            }
            return "which kernel " + CoreSpec.describeType(target, targetSpec.rootTypeId) + " does not have";
        }
        for (int i = 0; i < localSpec.length; i++) {
            targetId = target.resolve(targetId);
            int index = localSpec.accessorIndex[i];
            if (localSpec.accessorName[i] != null) {
                MemberSearch search = new MemberSearch();
                Found result = findMember(localSpec, i, targetId, targetSpec, search);
                boolean last = i == localSpec.length - 1;
                switch (result) {
                    case FOUND -> targetId = search.nextTypeId;
                    case MISSING -> {
                        return "which kernel " + container(targetSpec, targetId) + " does not have"
                                + (last ? "" : " (it has no member " + localSpec.accessorName[i] + ")");
                    }
                    case INCOMPATIBLE -> {
                        return "which kernel " + container(targetSpec, targetId) + " has with an incompatible type ("
                                + CoreSpec.display(target, search.nextTypeId) + " where the program has "
                                + CoreSpec.display(local, search.localTypeId) + ")";
                    }
                }
            } else {
                if (i > 0) {
                    if (!(target.type(targetId) instanceof BtfType.Array a)) {
                        return "which is an array in the program but " + CoreSpec.display(target, targetId) + " in the kernel";
                    }
                    if (!targetSpec.isFlexibleArray(a) && Integer.compareUnsigned(index, a.length()) >= 0) {
                        return "whose index " + index + " is beyond the kernel's array of " + Integer.toUnsignedString(a.length());
                    }
                    targetId = target.resolve(a.type());
                }
                targetSpec.pushRaw(index);
                targetSpec.push(targetId, index, null);
                targetSpec.bitOffset += index * CoreSpec.sizeOf(target, targetId, targetSpec) * 8;
            }
        }
        return null;
    }

    private enum Found { FOUND, MISSING, INCOMPATIBLE }

    /** Out-parameters of {@link #findMember}. */
    private static final class MemberSearch {
        int nextTypeId;
        int localTypeId;
    }

    /**
     * Finds the member named by local accessor {@code i} in target composite {@code targetId},
     * descending into anonymous members; pushes the raw steps and the accessor on success.
     */
    private Found findMember(CoreSpec localSpec, int i, int targetId, CoreSpec targetSpec, MemberSearch search) {
        Btf target = targetSpec.btf;
        targetId = target.resolve(targetId);
        if (!(target.type(targetId) instanceof BtfType.Composite composite)) return Found.MISSING;
        BtfType.Composite localOwner = (BtfType.Composite) local.type(localSpec.accessorType[i]);
        BtfType.Member localMember = localOwner.members().get(localSpec.accessorIndex[i]);
        String wanted = localSpec.accessorName[i];
        var members = composite.members();
        for (int j = 0; j < members.size(); j++) {
            BtfType.Member m = members.get(j);
            targetSpec.pushRaw(j);
            targetSpec.bitOffset += m.bitOffset();
            if (m.name().isEmpty()) {
                Found inner = findMember(localSpec, i, m.type(), targetSpec, search);
                if (inner != Found.MISSING) return inner;
            } else if (m.name().equals(wanted)) {
                search.nextTypeId = m.type();
                search.localTypeId = localMember.type();
                if (!TypeCompat.fieldsCompatible(local, localMember.type(), target, m.type())) return Found.INCOMPATIBLE;
                targetSpec.push(targetId, j, m.name());
                return Found.FOUND;
            }
            targetSpec.bitOffset -= m.bitOffset();
            targetSpec.rawLength--;
        }
        return Found.MISSING;
    }

    /** The target type a member was looked up in; an anonymous one is named by the candidate it sits in. */
    private String container(CoreSpec targetSpec, int targetId) {
        Btf target = targetSpec.btf;
        String name = target.name(targetId);
        if (!name.isEmpty() || targetId == targetSpec.rootTypeId) return CoreSpec.describeType(target, targetId);
        return CoreSpec.describeType(target, targetId) + " inside " + CoreSpec.describeType(target, targetSpec.rootTypeId);
    }

    private String noCandidate(CoreSpec localSpec) {
        BtfType t = local.type(localSpec.rootTypeId);
        return "but the kernel has no " + CoreSpec.kindWord(t) + " " + Names.essential(t.name());
    }

    private static String fixFor(CoreReloKind kind) {
        return kind.isEnumValue()
                ? "guard it with bpf_core_enum_value_exists()"
                : "guard it with bpf_core_field_exists()";
    }

    private static String subject(CoreSpec spec) {
        CoreReloKind kind = spec.kind;
        if (kind.isType()) return "type " + spec.describeRoot();
        if (kind.isEnumValue()) {
            return "enum value " + spec.btf.name(spec.rootTypeId) + "::" + spec.accessorName[0];
        }
        return "field " + spec.describeAccess();
    }

    // ---------------------------------------------------------------------------------------------
    // Values

    /**
     * A relocation's value on one side.
     *
     * @param accessSize   for a field's byte offset: the size a load/store of it moves, else 0
     * @param accessTypeId the (resolved) type of that field
     * @param check        whether the instruction must hold this (local) value
     * @param poison       the relocation has no value: its instruction is poisoned
     */
    private record Value(long value, int accessSize, int accessTypeId, boolean check, boolean poison) {
        static final Value POISON = new Value(0, 0, 0, true, true);

        static Value of(long value, boolean check) {
            return new Value(value, 0, 0, check, false);
        }
    }

    /** The value for {@code spec} (the local spec, a matched target spec, or null for "no match"). */
    private Value calculate(CoreSpec localSpec, CoreSpec spec) {
        CoreReloKind kind = localSpec.kind;
        if (kind.isField()) return fieldValue(kind, spec);
        if (kind.isType()) {
            if (spec == null) return Value.of(0, true);
            return switch (kind) {
                case TYPE_ID_TARGET -> Value.of(spec.rootTypeId, false);
                case TYPE_EXISTS, TYPE_MATCHES -> Value.of(1, true);
                case TYPE_SIZE -> Value.of(CoreSpec.sizeOf(spec.btf, spec.rootTypeId, spec), true);
                default -> throw new IllegalStateException("type relocation " + kind);
            };
        }
        if (kind == CoreReloKind.ENUMVAL_EXISTS) return Value.of(spec == null ? 0 : 1, true);
        if (spec == null) return Value.POISON;
        var e = (BtfType.Enumeration) spec.btf.type(spec.accessorType[0]);
        return Value.of(e.values().get(spec.accessorIndex[0]).value(), true);
    }

    private static Value fieldValue(CoreReloKind kind, CoreSpec spec) {
        if (kind == CoreReloKind.FIELD_EXISTS) return Value.of(spec == null ? 0 : 1, true);
        if (spec == null) return Value.POISON;
        Btf btf = spec.btf;
        int last = spec.length - 1;
        int ownerId = spec.accessorType[last];

        if (spec.accessorName[last] == null) {
            // An array element (or the root itself): its whole size, its offset.
            return switch (kind) {
                case FIELD_BYTE_OFFSET -> {
                    int element = innermostElement(btf, ownerId);
                    yield new Value(spec.bitOffset / 8, (int) CoreSpec.sizeOf(btf, element, spec), ownerId, true, false);
                }
                case FIELD_BYTE_SIZE -> Value.of(CoreSpec.sizeOf(btf, ownerId, spec), true);
                default -> throw new CoreRelocationException(kind + " relocation of " + spec.describeAccess()
                        + " names an array element, not a field; only its byte offset and size can be relocated");
            };
        }

        BtfType.Member member = ((BtfType.Composite) btf.type(ownerId)).members().get(spec.accessorIndex[last]);
        int fieldTypeId = btf.resolve(member.type());
        BtfType fieldType = btf.type(fieldTypeId);
        long bitOffset = spec.bitOffset;
        long bitSize = member.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteSize;
        long byteOffset;
        if (bitfield) {
            // The smallest aligned load, starting at the field's own type size, that covers all its bits.
            byteSize = CoreSpec.sizeOf(btf, fieldTypeId, spec);
            byteOffset = bitOffset / 8 / byteSize * byteSize;
            while (bitOffset + bitSize - byteOffset * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw new CoreRelocationException("bitfield " + spec.describeAccess() + " spans more than one aligned "
                            + "8-byte word, so no single load reads it");
                }
                byteSize *= 2;
                byteOffset = bitOffset / 8 / byteSize * byteSize;
            }
        } else {
            byteSize = CoreSpec.sizeOf(btf, fieldTypeId, spec);
            byteOffset = bitOffset / 8;
            bitSize = byteSize * 8;
        }
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> bitfield
                    ? Value.of(byteOffset, false)
                    : new Value(byteOffset, (int) CoreSpec.sizeOf(btf, innermostElement(btf, fieldTypeId), spec),
                            fieldTypeId, true, false);
            // For bitfields the load width is the loader's choice, which may differ from the compiler's.
            case FIELD_BYTE_SIZE -> Value.of(byteSize, !bitfield);
            case FIELD_SIGNED -> Value.of(isSigned(fieldType) ? 1 : 0, true);
            case FIELD_LSHIFT_U64 -> Value.of(btf.order() == ByteOrder.LITTLE_ENDIAN
                    ? 64 - (bitOffset + bitSize - byteOffset * 8)
                    : (8 - byteSize) * 8 + (bitOffset - byteOffset * 8), !bitfield);
            case FIELD_RSHIFT_U64 -> Value.of(64 - bitSize, true);
            default -> throw new IllegalStateException("field relocation " + kind);
        };
    }

    private static boolean isSigned(BtfType t) {
        return t instanceof BtfType.Enumeration e && e.signed()
                || t instanceof BtfType.Int i && i.encoding() == BtfType.IntEncoding.SIGNED;
    }

    /** For an array (of arrays), the element type a single load reads; else the type itself. */
    private static int innermostElement(Btf btf, int id) {
        id = btf.resolve(id);
        for (int depth = 0; depth < CoreSpec.MAX_LENGTH && btf.type(id) instanceof BtfType.Array a; depth++) {
            id = btf.resolve(a.type());
        }
        return id;
    }

    /** Whether both fields are signed integers: a narrower or wider load keeps the value if it sign-extends. */
    private static boolean bothSignedInts(Btf local, int localId, Btf target, int targetId) {
        return local.type(localId) instanceof BtfType.Int li && li.encoding() == BtfType.IntEncoding.SIGNED
                && target.type(targetId) instanceof BtfType.Int ti && ti.encoding() == BtfType.IntEncoding.SIGNED;
    }

    /**
     * Whether a load or store of a field can take another width: a pointer on both sides (kernel
     * pointers on 32-bit targets are 4 bytes), or an unsigned integer on both (zero extension keeps
     * the value).
     */
    private static boolean resizable(Btf local, int localId, Btf target, int targetId) {
        BtfType l = local.type(localId);
        BtfType t = target.type(targetId);
        if (l instanceof BtfType.Ptr && t instanceof BtfType.Ptr) return true;
        return l instanceof BtfType.Int li && t instanceof BtfType.Int ti
                && li.encoding() != BtfType.IntEncoding.SIGNED && ti.encoding() != BtfType.IntEncoding.SIGNED;
    }
}
