package dev.jbcc;

import dev.jbcc.asm.Instruction;
import dev.jbcc.asm.Instructions;
import dev.jbcc.asm.Opcode;
import dev.jbcc.asm.Reference;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Features;
import dev.jbcc.features.KernelVersion;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.BtfLoadAttr;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.spec.BpfFlags;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ExternSpec;
import dev.jbcc.spec.LineInfo;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.MapType;
import dev.jbcc.spec.ProgramSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link CollectionSpec} into kernel objects: loads the object's BTF, creates maps (and the
 * {@code .kconfig} map), resolves every instruction reference (maps, global data, kconfig, ksyms,
 * kfuncs, CO-RE), loads the programs and fills prog arrays and maps of maps from the ELF's
 * initial values. One use per instance.
 */
final class CollectionLoader {
    private static final System.Logger LOG = System.getLogger("dev.jbcc.Collection");
    static final String KCONFIG = ".kconfig";
    private static final String KSYMS = ".ksyms";

    private final CollectionSpec spec;
    private final CollectionOptions options;
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Map<String, Program> programs = new LinkedHashMap<>();
    private final Map<String, Integer> kconfigOffsets = new LinkedHashMap<>();
    private int kconfigSize;
    private Fd btfFd;
    private Map<String, Integer> btfStrings = Map.of();

    CollectionLoader(CollectionSpec spec, CollectionOptions options) {
        this.spec = spec;
        this.options = options;
    }

    Collection load() {
        try {
            byte[] kconfig = kconfigData();
            loadBtf();
            createMaps(kconfig);
            for (ProgramSpec p : spec.programs().values()) {
                if (options.programs() != null && !options.programs().contains(p.name())) continue;
                // The kernel's BTF only for programs that need it: parsing it is most of a cold load otherwise.
                Btf kernel = p.coreRelocations().isEmpty() ? null : options.kernel();
                var relocated = CoreRelocations.apply(p, spec.btf(), kernel, options.kernelBtf() == null);
                programs.put(p.name(), Program.load(resolve(p, relocated.instructions()), new Program.LoadContext(btfFd,
                        btfStrings, log -> CoreRelocations.explainPoison(log, relocated.poisoned()), options.logLevel())));
            }
            fillFdMaps();
            var collection = new Collection(maps, programs, spec.variables());
            maps.clear();
            programs.clear();
            return collection;
        } finally {
            // On success the maps and programs were handed over and these lists are empty.
            programs.values().forEach(Program::close);
            maps.values().forEach(BpfMap::close);
            if (btfFd != null) btfFd.close(); // maps and programs hold their own references
        }
    }

    // ---------------------------------------------------------------------------------------------
    // BTF

    /**
     * Loads the object's BTF, made acceptable to the kernel: extern variables and functions, which
     * the kernel's BTF checker refuses, become allocated variables and typedefs, and the
     * {@code .kconfig}/{@code .ksyms} sections get real sizes. Without BTF programs still load,
     * just without source lines in verifier logs; so a refusal is logged, not thrown.
     */
    private void loadBtf() {
        Btf btf = spec.btf();
        if (btf == null) return;
        List<BtfType> types = new ArrayList<>(btf.ownTypes());
        int first = btf.firstTypeId();
        int intId = -1;
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i) instanceof BtfType.Int in && in.size() == 4 && in.bits() == 32) {
                intId = first + i;
                break;
            }
        }
        if (intId < 0) {
            types.add(new BtfType.Int("int", 4, BtfType.IntEncoding.SIGNED, 0, 32));
            intId = first + types.size() - 1;
        }
        for (int i = 0; i < types.size(); i++) {
            switch (types.get(i)) {
                case BtfType.Func f when f.linkage() == BtfType.Linkage.EXTERN ->
                        types.set(i, new BtfType.Typedef(f.name(), f.type()));
                case BtfType.Var v when v.linkage() == BtfType.Linkage.EXTERN ->
                        types.set(i, new BtfType.Var(v.name(), v.type() == 0 ? intId : v.type(), BtfType.Linkage.GLOBAL));
                default -> { }
            }
        }
        for (int i = 0; i < types.size(); i++) {
            if (!(types.get(i) instanceof BtfType.DataSec ds)) continue;
            if (ds.name().equals(KCONFIG)) {
                var vars = new ArrayList<BtfType.VarSecInfo>();
                for (BtfType.VarSecInfo v : ds.vars()) {
                    Integer off = kconfigOffsets.get(btf.name(v.type()));
                    vars.add(new BtfType.VarSecInfo(v.type(), off == null ? 0 : off, v.size()));
                }
                types.set(i, new BtfType.DataSec(ds.name(), kconfigSize, vars));
            } else if (ds.name().equals(KSYMS)) {
                // Only variables may stand in a DataSec; the kernel never reads this one.
                var vars = new ArrayList<BtfType.VarSecInfo>();
                for (BtfType.VarSecInfo v : ds.vars()) {
                    if (types.get(v.type() - first) instanceof BtfType.Var) {
                        vars.add(new BtfType.VarSecInfo(v.type(), vars.size() * 4, 4));
                    }
                }
                if (vars.isEmpty()) {
                    types.add(new BtfType.Var("__jbcc_ksyms_placeholder", intId, BtfType.Linkage.GLOBAL));
                    vars.add(new BtfType.VarSecInfo(first + types.size() - 1, 0, 4));
                }
                for (int k = 0; k < vars.size(); k++) {
                    BtfType.VarSecInfo v = vars.get(k);
                    vars.set(k, new BtfType.VarSecInfo(v.type(), k * 4, 4));
                    if (types.get(v.type() - first) instanceof BtfType.Var var) {
                        types.set(v.type() - first, new BtfType.Var(var.name(), intId, BtfType.Linkage.GLOBAL));
                    }
                }
                types.set(i, new BtfType.DataSec(ds.name(), vars.size() * 4, vars));
            }
        }
        Btf fixed = (btf.base() == null ? Btf.of(types) : Btf.of(btf.base(), types)).sanitized(Features.btfFeatures());
        var strings = new HashSet<String>();
        for (ProgramSpec p : spec.programs().values()) {
            for (LineInfo li : p.lineInfos()) {
                strings.add(li.fileName());
                strings.add(li.source());
            }
        }
        Btf.Marshalled blob = fixed.marshal(strings);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, blob.blob());
            try {
                // No log on the first try: at level 1 the kernel logs every type even when the load
                // succeeds, and a log that does not fit fails the load (ENOSPC). Large objects' logs
                // pass 64 KiB. Only a refusal is loaded again, with a log that grows until it fits.
                btfFd = Bpf.btfLoad(new BtfLoadAttr(arena).btf(data));
                btfStrings = blob.stringOffsets();
            } catch (SyscallException e) {
                String log = btfLog(arena, data);
                LOG.log(System.Logger.Level.WARNING, "the kernel refused this object''s BTF ({0}); loading without "
                        + "BTF, so verifier messages will lack C source lines, and maps that need BTF (spin locks,"
                        + " timers, local storage) fail. The BTF log ends: {1}", e.getMessage(), tail(log, 10));
                LOG.log(System.Logger.Level.DEBUG, "BTF log: {0}", log);
            }
        }
    }

    private static final int BTF_LOG_START = 256 * 1024, BTF_LOG_MAX = 64 << 20;

    /** The kernel's log of refusing {@code data}, from loads with a log that grows until it fits. */
    private static String btfLog(Arena arena, MemorySegment data) {
        int size = BTF_LOG_START;
        while (true) {
            MemorySegment log = arena.allocate(size);
            var attr = new BtfLoadAttr(arena).btf(data).log(log, 1);
            try {
                Bpf.btfLoad(attr).close();
                return "(no log: the BTF loaded when asked again)";
            } catch (SyscallException e) {
                if (e.errno() != Errno.ENOSPC || size >= BTF_LOG_MAX) return log.getString(0).strip();
                size = Math.min(Math.max(size * 4, attr.logTrueSize() + 1), BTF_LOG_MAX);
            }
        }
    }

    /** The last {@code lines} lines of {@code text}, where the kernel puts its reason. */
    private static String tail(String text, int lines) {
        int at = text.length();
        for (int i = 0; i < lines && at > 0; i++) at = text.lastIndexOf('\n', at - 1);
        return at <= 0 ? text : "..." + text.substring(at);
    }

    // ---------------------------------------------------------------------------------------------
    // Maps

    private void createMaps(byte[] kconfig) {
        for (MapSpec m : spec.maps().values()) {
            if (options.mapReplacements().containsKey(m.name())) continue; // the caller's map stands in
            // Initial values naming programs or maps are set once those exist.
            List<MapSpec.Entry> direct = m.contents().stream().filter(e -> !(e.value() instanceof String)).toList();
            MapSpec toCreate = m.withContents(direct);
            if (btfFd == null) toCreate = toCreate.withBtfTypes(0, 0);
            maps.put(m.name(), m.pinning() == MapSpec.Pinning.BY_NAME ? pinnedMap(toCreate) : BpfMap.create(toCreate, btfFd));
            if ((m.flags() & BpfFlags.BPF_F_RDONLY_PROG) != 0 && m.type() == MapType.ARRAY) {
                // Frozen before the programs load, so the verifier treats .rodata as constants.
                maps.get(m.name()).freeze();
            }
        }
        if (kconfig != null && !options.mapReplacements().containsKey(KCONFIG)) {
            MapSpec k = MapSpec.of(KCONFIG, MapType.ARRAY, 4, kconfig.length, 1)
                    .withFlags(BpfFlags.BPF_F_RDONLY_PROG | BpfFlags.BPF_F_MMAPABLE)
                    .withContents(List.of(new MapSpec.Entry(0, kconfig)));
            BpfMap map = BpfMap.create(k);
            maps.put(KCONFIG, map);
            map.freeze();
        }
    }

    /** A pinned map is reused when one of the same shape is there, else created and pinned. */
    private BpfMap pinnedMap(MapSpec m) {
        Path path = options.pinPath().resolve(m.name());
        if (Files.exists(path)) {
            BpfMap existing = BpfMap.openPinned(path);
            var info = existing.info();
            int wantEntries = m.type() == MapType.PERF_EVENT_ARRAY && m.maxEntries() == 0 ? info.maxEntries() : m.maxEntries();
            if (info.type() != m.type() || info.keySize() != m.keySize() || info.valueSize() != m.valueSize()
                    || info.maxEntries() != wantEntries) {
                existing.close();
                throw new IllegalStateException("map " + m.name() + " pinned at " + path + " is " + info.type() + " key "
                        + info.keySize() + " value " + info.valueSize() + " max " + info.maxEntries()
                        + ", but the object wants " + m.type() + " key " + m.keySize() + " value " + m.valueSize()
                        + " max " + wantEntries + "; remove the pin (rm " + path + ") or use another pin path");
            }
            return existing;
        }
        BpfMap created = BpfMap.create(m, btfFd);
        try {
            created.pin(path);
        } catch (RuntimeException e) {
            created.close();
            throw e;
        }
        return created;
    }

    /** Prog arrays and maps of maps whose initial values the object gives by name. */
    private void fillFdMaps() {
        for (MapSpec m : spec.maps().values()) {
            for (MapSpec.Entry e : m.contents()) {
                if (!(e.value() instanceof String target)) continue;
                int slot = ((Number) e.key()).intValue();
                BpfMap map = mapNamed(m.name());
                if (m.type() == MapType.PROG_ARRAY) {
                    Program p = programs.get(target);
                    if (p == null) {
                        if (options.programs() != null) continue; // not selected for this load
                        throw new IllegalStateException("prog array " + m.name() + " slot " + slot + " names program "
                                + target + ", which the object does not define");
                    }
                    map.putFd(slot, p.fd());
                } else {
                    BpfMap inner = mapNamed(target);
                    if (inner == null) {
                        throw new IllegalStateException("map " + m.name() + " slot " + slot + " names map " + target
                                + ", which the object does not define");
                    }
                    map.putMap(slot, inner);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // kconfig

    /** Lays out the kconfig externs and fills in their values; null when the object has none. */
    private byte[] kconfigData() {
        List<ExternSpec> externs = spec.externs().values().stream()
                .filter(e -> e.kind() == ExternSpec.Kind.KCONFIG).toList();
        if (externs.isEmpty()) return null;
        Btf btf = spec.btf();
        int offset = 0;
        var sizes = new LinkedHashMap<String, Integer>();
        for (ExternSpec e : externs) {
            int type = varType(btf, e);
            int size = (int) btf.sizeOf(type);
            int align = Math.max(1, btf.alignOf(type));
            offset = (offset + align - 1) / align * align;
            kconfigOffsets.put(e.name(), offset);
            sizes.put(e.name(), size);
            offset += size;
        }
        kconfigSize = Math.max(4, offset);
        ByteBuffer data = ByteBuffer.allocate(kconfigSize).order(ByteOrder.nativeOrder());
        KernelConfig config = KernelConfig.current();
        for (ExternSpec e : externs) {
            int at = kconfigOffsets.get(e.name());
            int size = sizes.get(e.name());
            String value = kconfigValue(e.name(), config);
            if (value == null) {
                if (e.weak()) continue; // weak externs the kernel lacks read as zero
                throw new UnsupportedFeatureException("kconfig option " + e.name(), null, config.isKnown()
                        ? "this kernel's configuration does not set it; declare it __weak to read 0 instead"
                        : "this kernel publishes no configuration (no /proc/config.gz or /boot/config-"
                          + "RELEASE); declare it __weak to read 0 instead");
            }
            writeKconfig(data, at, size, e.name(), value, btf.type(btf.resolve(varType(btf, e))));
        }
        return data.array();
    }

    private static int varType(Btf btf, ExternSpec e) {
        return btf.type(e.btfType()) instanceof BtfType.Var v ? v.type() : e.btfType();
    }

    private static String kconfigValue(String name, KernelConfig config) {
        return switch (name) {
            case "LINUX_KERNEL_VERSION" -> Integer.toString(KernelVersion.current().code());
            // Both exist on every kernel jbcc supports (bpf cookies since 5.15, wrappers on x86-64 since 4.17).
            case "LINUX_HAS_BPF_COOKIE", "LINUX_HAS_SYSCALL_WRAPPER" -> "y";
            default -> config.value(name).orElse(null);
        };
    }

    private static void writeKconfig(ByteBuffer data, int at, int size, String name, String value, BtfType type) {
        if (type instanceof BtfType.Array) {
            if (!value.startsWith("\"")) {
                throw new IllegalArgumentException("kconfig " + name + " is a char array but the kernel's value " + value
                        + " is not a string");
            }
            byte[] s = value.substring(1, value.length() - 1).getBytes(StandardCharsets.UTF_8);
            data.put(at, s, 0, Math.min(s.length, size - 1));
            return;
        }
        long v = switch (value) {
            case "y" -> 1;
            case "m" -> 2; // libbpf's enum libbpf_tristate: TRI_NO, TRI_YES, TRI_MODULE
            case "n" -> 0;
            default -> {
                try {
                    yield value.startsWith("0x") ? Long.parseUnsignedLong(value.substring(2), 16) : Long.parseLong(value);
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("kconfig " + name + " = " + value + " is not a number; declare it"
                            + " as a char array to read a string option");
                }
            }
        };
        if (type instanceof BtfType.Int in && in.encoding() == BtfType.IntEncoding.BOOL && value.equals("m")) v = 1;
        switch (size) {
            case 1 -> data.put(at, (byte) v);
            case 2 -> data.putShort(at, (short) v);
            case 4 -> data.putInt(at, (int) v);
            case 8 -> data.putLong(at, v);
            default -> throw new IllegalArgumentException("kconfig " + name + " has unsupported size " + size);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Instruction references

    /** The program with {@code insns} (its CO-RE-relocated instructions), every reference resolved against the maps created and the kernel. */
    private ProgramSpec resolve(ProgramSpec p, Instructions insns) {
        Instructions.Builder b = insns.toBuilder();
        for (int i = 0; i < insns.size(); i++) {
            Reference r = insns.reference(i);
            if (r == null || r instanceof Reference.FunctionReference) continue;
            Instruction in = insns.get(i);
            Instruction out = switch (r) {
                case Reference.MapReference(String name) ->
                        withImm(in, Opcode.PSEUDO_MAP_FD, mapFd(name, p, i));
                case Reference.DataReference(String section, int offset) ->
                        withImm(in, Opcode.PSEUDO_MAP_VALUE, (long) offset << 32 | mapFd(section, p, i) & 0xffffffffL);
                case Reference.KconfigReference(String name) -> withImm(in, Opcode.PSEUDO_MAP_VALUE,
                        (long) kconfigOffsets.get(name) << 32 | mapFd(KCONFIG, p, i) & 0xffffffffL);
                case Reference.KsymReference(String name, boolean isFunction) ->
                        isFunction ? kfuncCall(in, name, p) : ksymLoad(in, name, p);
                case Reference.FunctionReference f -> in;
            };
            b.set(i, out);
            b.setReference(i, null);
        }
        // Same slots as before, so func_info, line_info and CO-RE offsets stay valid.
        return new ProgramSpec(p.name(), p.sectionName(), p.type(), p.attachType(), p.attachTarget(), p.flags(),
                p.license(), p.kernelVersion(), b.build(), p.funcInfos(), p.lineInfos(), p.coreRelocations());
    }

    private static Instruction withImm(Instruction in, int src, long imm) {
        return new Instruction(in.opcode(), in.dst(), src, in.offset(), imm);
    }

    /** A map this load created, or the caller's replacement for it. */
    private BpfMap mapNamed(String name) {
        BpfMap m = maps.get(name);
        return m != null ? m : options.mapReplacements().get(name);
    }

    private int mapFd(String name, ProgramSpec p, int index) {
        BpfMap m = mapNamed(name);
        if (m == null) {
            throw new IllegalStateException("program " + p.name() + " instruction " + index + " uses map " + name
                    + ", which the object does not define");
        }
        return m.fd();
    }

    private Instruction kfuncCall(Instruction in, String name, ProgramSpec p) {
        int[] ids = options.kernel().lookup(name, BtfType.Func.class);
        if (ids.length == 0) {
            ExternSpec e = spec.externs().get(name);
            if (e != null && e.weak()) {
                // A weak kfunc the kernel lacks: the call is poisoned; the verifier rejects it only
                // if the program can reach it (programs test bpf_ksym_exists() first).
                return new Instruction(in.opcode(), 0, 0, (short) 0, CoreRelocations.POISON_KFUNC);
            }
            throw new UnsupportedFeatureException("kfunc " + name, null, "program " + p.name()
                    + " calls it, but the kernel's BTF has no such function; declare it __weak and test bpf_ksym_exists("
                    + name + ") to run without it");
        }
        return new Instruction(in.opcode(), in.dst(), Opcode.PSEUDO_KFUNC_CALL, (short) 0, ids[0]);
    }

    private Instruction ksymLoad(Instruction in, String name, ProgramSpec p) {
        ExternSpec e = spec.externs().get(name);
        Btf btf = spec.btf();
        boolean typed = e != null && btf.type(e.btfType()) instanceof BtfType.Var v && v.type() != 0;
        if (typed) {
            int[] ids = options.kernel().lookup(name, BtfType.Var.class);
            // The verifier finds the variable's address through kallsyms, which lists data
            // symbols only on kernels built with CONFIG_KALLSYMS_ALL.
            if (ids.length > 0 && Kallsyms.address(name) != 0) {
                return withImm(in, Opcode.PSEUDO_BTF_ID, ids[0] & 0xffffffffL);
            }
            if (ids.length > 0 && !(e != null && e.weak())) {
                throw new UnsupportedFeatureException("typed __ksym variable " + name, null, "the kernel's BTF has it,"
                        + " but /proc/kallsyms does not list it, so the verifier cannot resolve it (the kernel was built"
                        + " without CONFIG_KALLSYMS_ALL); declare it __weak to read NULL instead");
            }
        } else {
            long address = Kallsyms.address(name);
            if (address != 0) return withImm(in, 0, address);
        }
        if (e != null && e.weak()) return withImm(in, 0, 0);
        throw new UnsupportedFeatureException("kernel symbol " + name, null, "program " + p.name() + " uses it, but "
                + (typed ? "the kernel's BTF has no such variable (only per-CPU variables are in BTF)"
                         : "/proc/kallsyms does not list it (data symbols need CONFIG_KALLSYMS_ALL)")
                + "; declare it __weak to read 0 instead");
    }
}
