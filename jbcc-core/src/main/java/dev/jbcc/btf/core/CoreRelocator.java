package dev.jbcc.btf.core;

import dev.jbcc.FormatException;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfKind;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.CoreReloKind;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Resolves the CO-RE relocations of one BPF object (its BTF) against a {@link CoreTarget}.
 *
 * <p>For each relocation the access string is resolved on the object's BTF; then every kernel type
 * with the same kind and essential name as the root type ({@code task_struct___local} →
 * {@code task_struct}) is a candidate. A field access chain matches a candidate member by member,
 * by name, descending into anonymous structs and unions, with compatible member types; array
 * indices must be in bounds. All matching candidates must agree on the result, else the relocation
 * is ambiguous. When none matches, the {@code *_EXISTS} and {@code TYPE_*} kinds give 0 and the
 * others poison the instruction.
 *
 * <p>Instances cache candidates per local type and are not thread-safe.
 */
public final class CoreRelocator {
    private final Btf local;
    private final CoreTarget target;
    private final Map<Integer, List<CoreTarget.Candidate>> candidates = new HashMap<>();

    private CoreRelocator(Btf local, CoreTarget target) {
        this.local = Objects.requireNonNull(local, "local");
        this.target = Objects.requireNonNull(target, "target");
    }

    /** A relocator for the object whose {@code .BTF} is {@code local}, against {@code target}. */
    public static CoreRelocator of(Btf local, CoreTarget target) {
        return new CoreRelocator(local, target);
    }

    /** The object's BTF. */
    public Btf local() {
        return local;
    }

    /** What the relocations resolve against. */
    public CoreTarget target() {
        return target;
    }

    /**
     * Resolves one relocation and writes the result into the instruction at {@code slot} of
     * {@code code} (raw little-endian BPF instructions, 8 bytes a slot): a convenience for
     * {@link #resolve} followed by {@link CoreInstructions#apply(MemorySegment, int, ByteOrder, CoreResult)}.
     */
    public CoreFixup relocate(byte[] code, int slot, int typeId, String accessString, CoreReloKind kind) {
        CoreResult r = resolve(typeId, accessString, kind);
        return CoreInstructions.apply(MemorySegment.ofArray(code), slot, ByteOrder.LITTLE_ENDIAN, r);
    }

    /**
     * Computes what relocation {@code (typeId, accessString, kind)} of {@code .BTF.ext} resolves to.
     *
     * @throws CoreRelocationException if the access string does not fit the object's BTF, the root
     *                                 type is anonymous, or kernel candidates disagree
     */
    public CoreResult resolve(int typeId, String accessString, CoreReloKind kind) {
        Objects.requireNonNull(accessString, "accessString");
        Objects.requireNonNull(kind, "kind");
        CoreSpec localSpec;
        try {
            localSpec = CoreSpec.parseLocal(local, typeId, accessString, kind);
        } catch (IllegalArgumentException | FormatException e) {
            throw new CoreRelocationException("CO-RE relocation " + kind + " on " + describeLocalType(typeId)
                    + " with access string \"" + accessString + "\" does not fit the object's BTF: " + e.getMessage()
                    + "; the object's .BTF.ext is inconsistent, recompile it", e);
        }
        String localText = localSpec.describe();
        if (kind == CoreReloKind.TYPE_ID_LOCAL) {
            // The object's own id: nothing to look up; ids change when objects are linked, so no check.
            return new CoreResult(kind, typeId, accessString, localText, localText, typeId, typeId, false, false,
                    0, 0, CoreResult.Resize.NOT_NEEDED, 0, null);
        }
        String name = local.name(typeId);
        if (name.isEmpty()) {
            throw new CoreRelocationException("CO-RE relocation " + kind + " on " + localText
                    + ": the root type is anonymous, so there is no name to find it by in the kernel; give the type a name"
                    + " (or use a typedef'd name) in the program");
        }
        List<CoreTarget.Candidate> cands = candidates.computeIfAbsent(typeId,
                id -> target.candidates(CoreTypes.essentialName(name), local.kind(id)));

        Values chosen = null;
        CoreSpec chosenSpec = null;
        CoreTarget.Candidate chosenCandidate = null;
        for (CoreTarget.Candidate c : cands) {
            CoreSpec targetSpec;
            try {
                targetSpec = match(localSpec, c.btf(), c.id());
            } catch (IllegalArgumentException | FormatException e) {
                throw new CoreRelocationException("CO-RE relocation " + kind + " of " + localText + ": matching kernel "
                        + CoreSpec.typeName(c.btf(), c.id()) + " [" + c.id() + "] failed: " + e.getMessage(), e);
            }
            if (targetSpec == null) continue;
            Values v = compute(localSpec, targetSpec);
            if (chosen == null) {
                chosen = v;
                chosenSpec = targetSpec;
                chosenCandidate = c;
            } else if (targetSpec.bitOffset != chosenSpec.bitOffset || v.poisoned != chosen.poisoned
                    || v.targetValue != chosen.targetValue) {
                throw new CoreRelocationException("CO-RE relocation " + kind + " of " + localText
                        + " is ambiguous: kernel " + chosenSpec.describe() + " [" + chosenCandidate.id() + "] gives "
                        + chosen.text(chosenSpec) + " but " + targetSpec.describe() + " [" + c.id() + "] gives "
                        + v.text(targetSpec) + "; rename the local type to a ___flavour that matches only one of them");
            }
        }
        if (chosen == null) {
            Values v = compute(localSpec, null);
            String reason = cands.isEmpty()
                    ? "the kernel has no " + kindWord(local.kind(typeId)) + " named " + CoreTypes.essentialName(name)
                    : notFoundReason(localSpec, cands);
            return new CoreResult(kind, typeId, accessString, localText, null, v.localValue, v.targetValue,
                    v.poisoned, v.checkLocal, v.localSize, 0, CoreResult.Resize.NOT_NEEDED, 0, reason);
        }
        return new CoreResult(kind, typeId, accessString, localText, chosenSpec.describe(), chosen.localValue,
                chosen.targetValue, chosen.poisoned, chosen.checkLocal, chosen.localSize, chosen.targetSize,
                chosen.resize, chosenCandidate.id(), null);
    }

    private String describeLocalType(int typeId) {
        return typeId > 0 && typeId < local.typeCount() ? "[" + typeId + "] " + CoreSpec.typeName(local, typeId)
                : "type id " + typeId;
    }

    private static String kindWord(BtfKind kind) {
        return switch (kind) {
            case STRUCT -> "struct";
            case UNION -> "union";
            case ENUM, ENUM64 -> "enum";
            case TYPEDEF -> "typedef";
            case FWD -> "forward-declared type";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private String notFoundReason(CoreSpec localSpec, List<CoreTarget.Candidate> cands) {
        CoreTarget.Candidate c = cands.getFirst();
        String kernelType = CoreSpec.typeName(c.btf(), c.id());
        if (localSpec.kind.isEnumValue()) {
            return "the kernel's " + kernelType + " has no enumerator " + localSpec.accessors.getFirst().name();
        }
        if (localSpec.kind.isType()) {
            return "the kernel's " + kernelType + (localSpec.kind == CoreReloKind.TYPE_MATCHES
                    ? " does not match the program's definition (a member or enumerator is missing or has another type)"
                    : " is not compatible with the program's " + CoreSpec.typeName(local, localSpec.rootTypeId));
        }
        StringBuilder path = new StringBuilder();
        for (CoreSpec.Accessor a : localSpec.accessors) {
            if (a.name() != null) path.append('.').append(a.name());
        }
        return "the kernel's " + kernelType + " has no field " + (path.isEmpty() ? "" : path.substring(1))
                + " of a compatible type";
    }

    // ---------------------------------------------------------------------------------------------
    // Matching a local spec against one candidate

    /** The local spec carried over to target type {@code id}, or null if it does not match. */
    static CoreSpec match(CoreSpec localSpec, Btf btf, int id) {
        CoreReloKind kind = localSpec.kind;
        CoreSpec spec = new CoreSpec(btf, id, kind);
        if (kind.isType()) {
            boolean ok = kind == CoreReloKind.TYPE_MATCHES
                    ? CoreTypes.typesMatch(localSpec.btf, localSpec.rootTypeId, btf, id)
                    : CoreTypes.typesCompatible(localSpec.btf, localSpec.rootTypeId, btf, id);
            if (!ok) return null;
            spec.pushRaw(0);
            return spec;
        }
        if (kind.isEnumValue()) {
            int resolved = btf.resolve(id);
            if (!(btf.type(resolved) instanceof BtfType.Enumeration e)) return null;
            String wanted = localSpec.accessors.getFirst().name();
            List<BtfType.EnumValue> values = e.values();
            for (int i = 0; i < values.size(); i++) {
                if (CoreTypes.essentialNamesEqual(wanted, values.get(i).name())) {
                    spec.accessors.add(new CoreSpec.Accessor(resolved, i, values.get(i).name()));
                    spec.pushRaw(i);
                    return spec;
                }
            }
            return null;
        }
        int current = id;
        for (int i = 0; i < localSpec.accessors.size(); i++) {
            CoreSpec.Accessor acc = localSpec.accessors.get(i);
            if (acc.name() != null) {
                current = matchMember(localSpec.btf, acc, btf, current, spec);
                if (current < 0) return null;
                continue;
            }
            if (i == 0) {
                current = btf.resolve(current);
            } else {
                if (!(btf.type(btf.resolve(current)) instanceof BtfType.Array a)) return null;
                if (!CoreSpec.isFlexible(btf, spec.accessors.getLast(), a)
                        && Integer.compareUnsigned(acc.index(), a.length()) >= 0) {
                    return null;
                }
                current = btf.resolve(a.type());
            }
            if (spec.rawLength == CoreSpec.MAX_LENGTH) throw new IllegalArgumentException("nesting deeper than " + CoreSpec.MAX_LENGTH);
            spec.accessors.add(new CoreSpec.Accessor(current, acc.index(), null));
            spec.pushRaw(acc.index());
            spec.bitOffset += (long) acc.index() * CoreSpec.sizeOf(btf, current) * 8;
        }
        return spec;
    }

    /**
     * Finds the member named like local accessor {@code acc} in target composite {@code id},
     * looking into anonymous members; appends its path to {@code spec}. Returns the member's type
     * id, or -1 if there is no such member or its type is not compatible.
     */
    private static int matchMember(Btf localBtf, CoreSpec.Accessor acc, Btf btf, int id, CoreSpec spec) {
        BtfType.Member wanted = ((BtfType.Composite) localBtf.type(acc.typeId())).members().get(acc.index());
        int resolved = btf.resolve(id);
        if (!(btf.type(resolved) instanceof BtfType.Composite c)) return -1;
        List<BtfType.Member> members = c.members();
        for (int i = 0; i < members.size(); i++) {
            BtfType.Member m = members.get(i);
            if (spec.rawLength == CoreSpec.MAX_LENGTH) throw new IllegalArgumentException("nesting deeper than " + CoreSpec.MAX_LENGTH);
            // Tentatively step into this member; undone below if it is not the one.
            spec.bitOffset += m.bitOffset();
            spec.pushRaw(i);
            if (m.name().isEmpty()) {
                int found = matchMember(localBtf, acc, btf, m.type(), spec);
                if (found >= 0) return found;
            } else if (m.name().equals(wanted.name())) {
                if (CoreTypes.fieldsCompatible(localBtf, wanted.type(), btf, m.type())) {
                    spec.accessors.add(new CoreSpec.Accessor(resolved, i, m.name()));
                    return m.type();
                }
                spec.bitOffset -= m.bitOffset();
                spec.rawLength--;
                return -1;
            }
            spec.bitOffset -= m.bitOffset();
            spec.rawLength--;
        }
        return -1;
    }

    // ---------------------------------------------------------------------------------------------
    // Values

    private record Values(long localValue, long targetValue, boolean poisoned, boolean checkLocal,
                          int localSize, int targetSize, CoreResult.Resize resize) {
        String text(CoreSpec spec) {
            return poisoned ? "a missing field" : targetValue + " (" + spec.rawString() + " @ bit " + spec.bitOffset + ")";
        }
    }

    /** A field's value on one side: the number, the load size (0 if not a plain field), its type. */
    private record FieldValue(long value, int size, int typeId, boolean exact) {}

    /** Local and target values; {@code targetSpec} null when no kernel type matched. */
    private static Values compute(CoreSpec localSpec, CoreSpec targetSpec) {
        CoreReloKind kind = localSpec.kind;
        try {
            if (kind.isField()) {
                if (kind == CoreReloKind.FIELD_EXISTS) {
                    return new Values(1, targetSpec != null ? 1 : 0, false, true, 0, 0, CoreResult.Resize.NOT_NEEDED);
                }
                FieldValue l = fieldValue(kind, localSpec);
                if (targetSpec == null) {
                    return new Values(l.value, 0, true, l.exact, l.size, 0, CoreResult.Resize.NOT_NEEDED);
                }
                FieldValue t = fieldValue(kind, targetSpec);
                CoreResult.Resize resize = l.size == t.size ? CoreResult.Resize.NOT_NEEDED
                        : resizeRule(localSpec.btf, l.typeId, targetSpec.btf, t.typeId);
                return new Values(l.value, t.value, false, l.exact, l.size, t.size, resize);
            }
            if (kind.isType()) {
                long l = typeValue(kind, localSpec);
                long t = targetSpec == null ? 0 : typeValue(kind, targetSpec);
                return new Values(l, t, false, kind != CoreReloKind.TYPE_ID_TARGET, 0, 0, CoreResult.Resize.NOT_NEEDED);
            }
            if (kind == CoreReloKind.ENUMVAL_EXISTS) {
                return new Values(1, targetSpec != null ? 1 : 0, false, true, 0, 0, CoreResult.Resize.NOT_NEEDED);
            }
            long l = enumValue(localSpec);
            if (targetSpec == null) return new Values(l, 0, true, true, 0, 0, CoreResult.Resize.NOT_NEEDED);
            return new Values(l, enumValue(targetSpec), false, true, 0, 0, CoreResult.Resize.NOT_NEEDED);
        } catch (IllegalArgumentException e) {
            throw new CoreRelocationException("CO-RE relocation " + kind + " of " + localSpec.describe()
                    + (targetSpec != null ? " (kernel " + targetSpec.describe() + ")" : "") + ": " + e.getMessage(), e);
        }
    }

    private static CoreResult.Resize resizeRule(Btf lb, int lid, Btf tb, int tid) {
        BtfType lt = lb.type(lid);
        BtfType tt = tb.type(tid);
        if (lt instanceof BtfType.Ptr && tt instanceof BtfType.Ptr) return CoreResult.Resize.ZERO_EXTENDING;
        if (lt instanceof BtfType.Int li && tt instanceof BtfType.Int ti) {
            boolean ls = li.encoding() == BtfType.IntEncoding.SIGNED;
            boolean ts = ti.encoding() == BtfType.IntEncoding.SIGNED;
            if (!ls && !ts) return CoreResult.Resize.ZERO_EXTENDING;
            if (ls && ts) return CoreResult.Resize.SIGN_EXTENDING;
        }
        return CoreResult.Resize.FORBIDDEN;
    }

    /**
     * FIELD_BYTE_OFFSET, _BYTE_SIZE, _SIGNED, _LSHIFT_U64, _RSHIFT_U64 on one side. For a bitfield
     * the offset and size are those of the smallest aligned load (of at least the member type's
     * size) that covers all its bits; the shifts move it to the top of a u64 and back down.
     */
    private static FieldValue fieldValue(CoreReloKind kind, CoreSpec spec) {
        CoreSpec.Accessor last = spec.accessors.getLast();
        Btf btf = spec.btf;
        if (last.name() == null) {
            // The access ends in an array element (or the root itself).
            long size = CoreSpec.sizeOf(btf, last.typeId());
            return switch (kind) {
                case FIELD_BYTE_OFFSET -> new FieldValue(spec.bitOffset / 8, (int) size, last.typeId(), true);
                case FIELD_BYTE_SIZE -> new FieldValue(size, 0, 0, true);
                default -> throw new IllegalArgumentException(kind + " cannot be applied to an array element");
            };
        }
        BtfType.Member m = ((BtfType.Composite) btf.type(last.typeId())).members().get(last.index());
        int fieldType = btf.resolve(m.type());
        BtfType ft = btf.type(fieldType);
        long bitOff = spec.bitOffset;
        int bitSize = m.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteOff;
        long byteSize;
        if (bitfield) {
            byteSize = CoreSpec.sizeOf(btf, fieldType);
            if (byteSize <= 0) throw new IllegalArgumentException("bitfield " + m.name() + " has a type of size 0");
            byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw new IllegalArgumentException("bitfield " + m.name() + " cannot be read with one 64-bit load");
                }
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }
        } else {
            byteSize = CoreSpec.sizeOf(btf, fieldType);
            byteOff = bitOff / 8;
            bitSize = (int) (byteSize * 8);
        }
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> bitfield ? new FieldValue(byteOff, 0, 0, false)
                    : new FieldValue(byteOff, (int) byteSize, fieldType, true);
            case FIELD_BYTE_SIZE -> new FieldValue(byteSize, 0, 0, !bitfield);
            case FIELD_SIGNED -> new FieldValue(isSigned(ft) ? 1 : 0, 0, 0, true);
            case FIELD_LSHIFT_U64 -> new FieldValue(btf.order() == ByteOrder.LITTLE_ENDIAN
                    ? 64 - (bitOff + bitSize - byteOff * 8)
                    : (8 - byteSize) * 8 + (bitOff - byteOff * 8), 0, 0, !bitfield);
            case FIELD_RSHIFT_U64 -> new FieldValue(64 - bitSize, 0, 0, true);
            default -> throw new IllegalArgumentException("not a field value: " + kind);
        };
    }

    private static boolean isSigned(BtfType t) {
        return t instanceof BtfType.Int i && i.encoding() == BtfType.IntEncoding.SIGNED
                || t instanceof BtfType.Enumeration e && e.signed();
    }

    private static long typeValue(CoreReloKind kind, CoreSpec spec) {
        return switch (kind) {
            case TYPE_ID_TARGET -> spec.rootTypeId;
            case TYPE_EXISTS, TYPE_MATCHES -> 1;
            case TYPE_SIZE -> CoreSpec.sizeOf(spec.btf, spec.rootTypeId);
            default -> throw new IllegalArgumentException("not a type value: " + kind);
        };
    }

    private static long enumValue(CoreSpec spec) {
        CoreSpec.Accessor a = spec.accessors.getFirst();
        return ((BtfType.Enumeration) spec.btf.type(a.typeId())).values().get(a.index()).value();
    }
}
