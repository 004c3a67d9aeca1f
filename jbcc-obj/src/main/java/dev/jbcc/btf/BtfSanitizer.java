package dev.jbcc.btf;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites object BTF for a kernel that lacks some BTF kinds, so that {@code BPF_BTF_LOAD} accepts
 * it. Each missing kind is replaced by one the kernel knows with the same size, so type ids (used
 * by func_info, line_info and CO-RE) and record layouts stay valid. The replacements follow
 * libbpf's, which older kernels are known to accept.
 */
public final class BtfSanitizer {
    /** Name of the INT that ENUM64 enumerators become members of, appended once at the end. */
    static final String ENUM64_PLACEHOLDER = "enum64_placeholder";

    private BtfSanitizer() {}

    /**
     * The BTF features a target kernel has; {@link #ALL} for a current kernel. Probing the kernel
     * (loading a tiny blob per feature) is the loader's job.
     *
     * @param datasec       VAR and DATASEC (Linux 5.2)
     * @param qmarkDatasec  DATASEC names starting with '?' (Linux 5.17? libbpf probes it)
     * @param func          FUNC and FUNC_PROTO (Linux 5.0)
     * @param funcGlobal    FUNC with global linkage (Linux 5.6)
     * @param floats        FLOAT (Linux 5.13)
     * @param declTag       DECL_TAG (Linux 5.16)
     * @param typeTag       TYPE_TAG (Linux 5.17)
     * @param enum64        ENUM64 and signed ENUM (Linux 6.0)
     */
    public record Features(boolean datasec, boolean qmarkDatasec, boolean func, boolean funcGlobal, boolean floats,
                           boolean declTag, boolean typeTag, boolean enum64) {
        /** Everything: nothing is rewritten. */
        public static final Features ALL = new Features(true, true, true, true, true, true, true, true);
        /** Nothing beyond the first BTF kinds (Linux 4.18). */
        public static final Features NONE = new Features(false, false, false, false, false, false, false, false);
    }

    static Btf sanitize(Btf btf, Features has) {
        if (has.equals(Features.ALL)) {
            return btf;
        }
        List<BtfType> own = btf.ownTypes();
        List<BtfType> out = new ArrayList<>(own.size() + 1);
        int placeholderId = 0;
        for (int i = 0; i < own.size(); i++) {
            int id = btf.firstTypeId() + i;
            BtfType t = own.get(i);
            BtfType replaced = switch (t) {
                case BtfType.Var v when !has.datasec() ->
                        // Same record size as VAR (12 + 4 bytes); a one-byte int nobody refers to by size.
                        new BtfType.Int(v.name(), 1, BtfType.IntEncoding.UNSIGNED, 0, 8);
                case BtfType.DataSec d when !has.datasec() -> {
                    List<BtfType.Member> members = new ArrayList<>(d.vars().size());
                    for (BtfType.VarSecInfo v : d.vars()) {
                        members.add(new BtfType.Member(btf.name(v.type()), v.type(), v.offset() * 8, 0));
                    }
                    // '.' and '?' are not allowed in a struct name.
                    yield new BtfType.Struct(d.name().replace('.', '_').replace('?', '_'), d.size(), members);
                }
                case BtfType.DataSec d when !has.qmarkDatasec() && d.name().startsWith("?") ->
                        new BtfType.DataSec("_" + d.name().substring(1), d.size(), d.vars());
                case BtfType.FuncProto f when !has.func() -> {
                    // Same record layout: each parameter becomes an enumerator.
                    List<BtfType.EnumValue> values = new ArrayList<>(f.params().size() + 1);
                    for (BtfType.Param p : f.params()) {
                        values.add(new BtfType.EnumValue(p.name(), p.type()));
                    }
                    if (f.variadic()) {
                        values.add(new BtfType.EnumValue("", 0));
                    }
                    yield new BtfType.Enum("", 4, false, values);
                }
                case BtfType.Func f when !has.func() -> new BtfType.Typedef(f.name(), f.type());
                case BtfType.Func f when !has.funcGlobal() && f.linkage() == BtfType.Linkage.GLOBAL ->
                        new BtfType.Func(f.name(), f.type(), BtfType.Linkage.STATIC);
                case BtfType.Float f when !has.floats() ->
                        // C has no struct named "float": the stand-in is anonymous.
                        new BtfType.Struct("", f.size(), List.of());
                case BtfType.DeclTag d when !has.declTag() -> new BtfType.Int("", 1, BtfType.IntEncoding.UNSIGNED, 0, 8);
                case BtfType.TypeTag tt when !has.typeTag() -> new BtfType.Const(tt.type());
                case BtfType.Enum e when !has.enum64() && e.signed() -> new BtfType.Enum(e.name(), e.size(), false,
                        e.values());
                case BtfType.Enum64 e when !has.enum64() -> {
                    if (placeholderId == 0) {
                        placeholderId = btf.typeCount();
                    }
                    List<BtfType.Member> members = new ArrayList<>(e.values().size());
                    for (BtfType.EnumValue v : e.values()) {
                        members.add(new BtfType.Member(v.name(), placeholderId, 0, 0));
                    }
                    yield new BtfType.Union(e.name(), e.size(), members);
                }
                default -> t;
            };
            out.add(replaced);
        }
        if (placeholderId != 0) {
            out.add(new BtfType.Int(ENUM64_PLACEHOLDER, 1, BtfType.IntEncoding.UNSIGNED, 0, 8));
        }
        return btf.base() == null ? Btf.of(out) : Btf.of(btf.base(), out);
    }
}
