package dev.jbcc.spec;

import dev.jbcc.asm.Instruction;
import dev.jbcc.asm.Instructions;
import dev.jbcc.asm.Opcode;
import dev.jbcc.asm.Reference;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfExt;
import dev.jbcc.btf.BtfType;
import dev.jbcc.elf.ElfFile;
import dev.jbcc.elf.ElfHeader;
import dev.jbcc.elf.Relocation;
import dev.jbcc.elf.Section;
import dev.jbcc.elf.Symbol;
import dev.jbcc.errors.FormatException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a BPF ELF object ({@code clang -target bpf -O2 -g -c}) into a {@link CollectionSpec}.
 *
 * <p>What it understands: programs (global functions in executable sections, named by libbpf's
 * section conventions) and subprograms (functions in {@code .text}); relocations against maps,
 * global data, functions and kconfig/ksym externs, recorded as {@link Reference}s; BTF-defined maps
 * in {@code .maps} (including map-in-map inner definitions, pinning and initial {@code values}),
 * legacy {@code struct bpf_map_def} maps in {@code maps}; global data sections as single-value
 * ARRAY maps; {@code license}, {@code version}; {@code .BTF} and {@code .BTF.ext}. Nothing that
 * needs a kernel is resolved here.
 */
public final class ObjectReader {
    private static final String TEXT = ".text", MAPS = ".maps", LEGACY_MAPS = "maps", KCONFIG = ".kconfig",
            KSYMS = ".ksyms";
    private static final int LIBBPF_PIN_BY_NAME = 1;
    /**
     * Largest {@code .bss} (SHT_NOBITS, not in the file) read into a zeroed map value: 64 MiB,
     * far above the kernel's limit on one value (KMALLOC_MAX_SIZE, 4 MiB on x86-64), so that a
     * bogus size fails here rather than allocating gigabytes.
     */
    private static final long MAX_ZEROED_SECTION = 64L << 20;

    private ObjectReader() {}

    public static CollectionSpec read(Path path) throws IOException {
        return read(Files.readAllBytes(path), path.toString());
    }

    public static CollectionSpec read(byte[] object) {
        return read(object, "BPF object");
    }

    /** Reads an object held in memory; {@code origin} names it in error messages. */
    public static CollectionSpec read(byte[] object, String origin) {
        return new Reader(ElfFile.of(MemorySegment.ofArray(object), origin)).read();
    }

    /** A function's code in its section, and what its instructions point at. */
    private static final class Function {
        final String name;
        final Section section;
        final long start;
        final boolean global;
        final Instructions code;
        final Reference[] references;
        /** For instructions that call or load another function: the callee. */
        final Function[] targets;

        Function(String name, Section section, long start, boolean global, Instructions code) {
            this.name = name;
            this.section = section;
            this.start = start;
            this.global = global;
            this.code = code;
            this.references = new Reference[code.size()];
            this.targets = new Function[code.size()];
        }

        long end() {
            return start + code.byteSize();
        }
    }

    private static final class Reader {
        private final ElfFile elf;
        private final List<Symbol> symbols;
        private Btf btf;
        private Section mapsSection;
        private Section legacyMapsSection;
        private final Map<Integer, Section> dataSections = new LinkedHashMap<>();
        private final Map<Integer, Section> codeSections = new LinkedHashMap<>();
        /** Functions per code section, by start offset. */
        private final Map<Integer, TreeMap<Long, Function>> functions = new HashMap<>();
        private final Map<String, ExternSpec> externs = new LinkedHashMap<>();

        Reader(ElfFile elf) {
            this.elf = elf;
            ElfHeader h = elf.header();
            if (h.machine() != ElfHeader.EM_BPF) {
                throw elf.fail("e_machine is " + h.machine() + ", not BPF (247): compile with clang -target bpf");
            }
            if (h.type() != ElfHeader.ET_REL) {
                throw elf.fail("e_type is " + h.type() + ", not a relocatable object (1): compile with -c");
            }
            this.symbols = elf.symbols();
        }

        CollectionSpec read() {
            String license = "";
            int version = 0;
            Section btfExt = null;
            for (Section s : elf.sections()) {
                String n = s.name();
                if (n.equals("license")) license = cString(elf.contents(s));
                else if (n.equals("version")) {
                    if (s.size() != 4) throw elf.fail(s + " is " + s.size() + " bytes, expected a 4-byte kernel version");
                    version = elf.u32(elf.contents(s), 0);
                } else if (n.equals(".BTF")) btf = Btf.parse(elf.contents(s));
                else if (n.equals(".BTF.ext")) btfExt = s;
                else if (n.equals(MAPS)) mapsSection = s;
                else if (n.equals(LEGACY_MAPS)) legacyMapsSection = s;
                else if (isDataSection(s)) dataSections.put(s.index(), s);
                else if (s.type() == Section.SHT_PROGBITS && s.isExecutable() && s.size() > 0) codeSections.put(s.index(), s);
            }
            for (Section s : codeSections.values()) readFunctions(s);
            collectExterns();
            for (Section rel : elf.sections()) {
                if ((rel.type() == Section.SHT_REL || rel.type() == Section.SHT_RELA) && codeSections.containsKey(rel.info())) {
                    applyRelocations(rel, codeSections.get(rel.info()));
                }
            }
            resolveUnrelocatedCalls();

            BtfExt extInfo = null;
            if (btfExt != null && btf != null) {
                try {
                    extInfo = BtfExt.parse(elf.contents(btfExt).toArray(ValueLayout.JAVA_BYTE), btf);
                } catch (FormatException e) {
                    throw elf.fail(e.getMessage(), e);
                }
            }

            Map<String, MapSpec> maps = new LinkedHashMap<>();
            if (mapsSection != null) readBtfMaps(maps);
            if (legacyMapsSection != null) readLegacyMaps(maps);
            Map<String, VariableSpec> variables = new LinkedHashMap<>();
            readDataSections(maps, variables);

            Map<String, ProgramSpec> programs = new LinkedHashMap<>();
            for (Section s : codeSections.values()) {
                if (s.name().equals(TEXT)) continue;
                for (Function f : functions.get(s.index()).values()) {
                    if (!f.global) {
                        throw elf.fail("function " + f.name + " in " + s + " is static; programs must be global "
                                + "(drop 'static'), and helper functions belong in .text (drop the SEC())");
                    }
                    programs.put(f.name, link(f, license, version, extInfo));
                }
            }
            fixDataSecs();
            makeHiddenFunctionsStatic();
            return new CollectionSpec(maps, programs, btf, variables, externs, elf.byteOrder());
        }

        // ---- functions and relocations ----

        private void readFunctions(Section section) {
            MemorySegment bytes = elf.contents(section);
            TreeMap<Long, Function> bySart = new TreeMap<>();
            List<Symbol> funcs = symbols.stream()
                    .filter(sym -> sym.type() == Symbol.Type.FUNC && sym.sectionIndex() == section.index())
                    .sorted(Comparator.comparingLong(Symbol::value)).toList();
            if (funcs.isEmpty()) {
                throw elf.fail(section + " holds code but no function symbol names it");
            }
            for (Symbol sym : funcs) {
                long start = sym.value(), size = sym.size();
                if (start % Instruction.SLOT_SIZE != 0 || size % Instruction.SLOT_SIZE != 0 || !fits(start, size, section)) {
                    throw elf.fail("function " + sym.name() + " at offset " + start + " with size " + size
                            + " does not fit whole instructions inside " + section + " (" + section.size() + " bytes)");
                }
                Instructions code = Instructions.decode(bytes.asSlice(start, size), elf.byteOrder());
                if (bySart.put(start, new Function(sym.name(), section, start, sym.isGlobal(), code)) != null) {
                    throw elf.fail("two functions start at offset " + start + " of " + section);
                }
            }
            functions.put(section.index(), bySart);
        }

        private Function functionAt(Section section, long offset, String why) {
            TreeMap<Long, Function> inSection = functions.get(section.index());
            Map.Entry<Long, Function> e = inSection == null ? null : inSection.floorEntry(offset);
            if (e == null || offset >= e.getValue().end()) {
                throw elf.fail(why + ": no function covers offset " + offset + " of " + section);
            }
            return e.getValue();
        }

        private void applyRelocations(Section rel, Section code) {
            List<Symbol> relSymbols = elf.symbolsOf(rel);
            for (Relocation r : elf.relocations(rel)) {
                if (r.type() == Relocation.R_BPF_NONE) continue;
                String where = "relocation at offset " + r.offset() + " of " + code;
                if (r.symbolIndex() <= 0 || r.symbolIndex() >= relSymbols.size()) {
                    throw elf.fail(where + " names symbol " + r.symbolIndex() + ", which does not exist");
                }
                Symbol sym = relSymbols.get(r.symbolIndex());
                Function f = functionAt(code, r.offset(), where);
                int index = f.code.indexOfByteOffset(r.offset() - f.start);
                if (index < 0) throw elf.fail(where + " points into the middle of an instruction of " + f.name);
                Instruction insn = f.code.get(index);
                where += " (instruction " + index + " of " + f.name + ", symbol " + displayName(sym) + ")";
                f.references[index] = reference(f, index, insn, sym, where);
            }
        }

        private Reference reference(Function f, int index, Instruction insn, Symbol sym, String where) {
            if (sym.isUndefined()) {
                ExternSpec ext = externs.get(sym.name());
                if (ext == null) throw elf.fail(where + ": extern " + sym.name() + " is neither __kconfig nor __ksym");
                if (insn.isCall()) {
                    if (ext.kind() != ExternSpec.Kind.KFUNC) {
                        ext = new ExternSpec(ext.name(), ExternSpec.Kind.KFUNC, ext.weak(), ext.btfType());
                        externs.put(ext.name(), ext);
                    }
                    // link() marks it BPF_PSEUDO_KFUNC_CALL; the loader fills in the BTF id.
                    return new Reference.KsymReference(sym.name(), true);
                }
                requireLoadImm64(insn, where);
                return ext.kind() == ExternSpec.Kind.KCONFIG ? new Reference.KconfigReference(sym.name())
                        : new Reference.KsymReference(sym.name(), false);
            }
            if (!sym.isInSection()) throw elf.fail(where + ": symbol is in special section " + sym.sectionIndex());
            Section target = elf.section(sym.sectionIndex());
            if (codeSections.containsKey(target.index())) {
                long targetOffset;
                if (insn.isCall()) {
                    if (insn.src() != Opcode.PSEUDO_CALL) throw elf.fail(where + ": call relocation on a helper call");
                    // A function symbol has imm -1; a section symbol puts the distance in imm.
                    targetOffset = sym.value() + ((int) insn.imm() + 1L) * Instruction.SLOT_SIZE;
                } else {
                    requireLoadImm64(insn, where);
                    targetOffset = sym.value() + (int) insn.imm();
                }
                Function callee = functionAt(target, targetOffset, where);
                if (callee.start != targetOffset) {
                    throw elf.fail(where + ": target offset " + targetOffset + " is inside " + callee.name + ", not its start");
                }
                if (!target.name().equals(TEXT)) {
                    throw elf.fail(where + ": calls " + callee.name + " in " + target
                            + "; only functions in .text can be called (drop the callee's SEC())");
                }
                f.targets[index] = callee;
                return new Reference.FunctionReference(callee.name);
            }
            requireLoadImm64(insn, where);
            if (target == mapsSection || target == legacyMapsSection) {
                return new Reference.MapReference(mapNameAt(target, sym, (int) insn.imm(), where));
            }
            if (dataSections.containsKey(target.index())) {
                long offset = sym.value() + (int) insn.imm();
                if (offset < 0 || offset > target.size()) {
                    throw elf.fail(where + ": offset " + offset + " is outside " + target + " (" + target.size() + " bytes)");
                }
                return new Reference.DataReference(target.name(), (int) offset);
            }
            throw elf.fail(where + ": refers to " + target + ", which is neither code, maps nor global data");
        }

        private String mapNameAt(Section section, Symbol sym, int addend, String where) {
            if (sym.type() != Symbol.Type.SECTION) return sym.name();
            long offset = sym.value() + addend;
            for (Symbol s : symbols) {
                if (s.sectionIndex() == section.index() && s.type() != Symbol.Type.SECTION && s.value() == offset) {
                    return s.name();
                }
            }
            throw elf.fail(where + ": no map at offset " + offset + " of " + section);
        }

        private void requireLoadImm64(Instruction insn, String where) {
            if (!insn.isLoadImm64()) {
                throw elf.fail(where + ": expected a ld_imm64 instruction, found opcode 0x"
                        + Integer.toHexString(insn.opcode()) + " (" + insn + ")");
            }
        }

        /** Calls to a function in the same section need no relocation: the distance is already in imm. */
        private void resolveUnrelocatedCalls() {
            for (TreeMap<Long, Function> inSection : functions.values()) {
                for (Function f : inSection.values()) {
                    for (int i = 0; i < f.code.size(); i++) {
                        Instruction insn = f.code.get(i);
                        if (!insn.isPseudoCall() || f.references[i] != null) continue;
                        long target = f.start + (f.code.slotOf(i) + 1L + (int) insn.imm()) * Instruction.SLOT_SIZE;
                        String where = "call at instruction " + i + " of " + f.name;
                        Function callee = functionAt(f.section, target, where);
                        if (callee.start != target) {
                            throw elf.fail(where + " lands inside " + callee.name + ", not at its start");
                        }
                        f.targets[i] = callee;
                        f.references[i] = new Reference.FunctionReference(callee.name);
                    }
                }
            }
        }

        // ---- linking ----

        private ProgramSpec link(Function main, String license, int version, BtfExt extInfo) {
            // Breadth-first: the program, then each function it reaches, each once.
            List<Function> order = new ArrayList<>();
            Map<Function, Integer> startSlot = new HashMap<>();
            ArrayDeque<Function> queue = new ArrayDeque<>();
            queue.add(main);
            int slots = 0;
            while (!queue.isEmpty()) {
                Function f = queue.poll();
                if (startSlot.containsKey(f)) continue;
                startSlot.put(f, slots);
                order.add(f);
                slots += f.code.slotCount();
                for (Function t : f.targets) if (t != null && !startSlot.containsKey(t)) queue.add(t);
            }
            Instructions.Builder code = Instructions.builder();
            List<FuncInfo> funcInfos = new ArrayList<>();
            List<LineInfo> lineInfos = new ArrayList<>();
            List<CoreRelocation> relocations = new ArrayList<>();
            for (Function f : order) {
                int base = startSlot.get(f);
                code.symbol(f.name);
                for (int i = 0; i < f.code.size(); i++) {
                    Instruction insn = f.code.get(i);
                    Reference ref = f.references[i];
                    Function callee = f.targets[i];
                    if (callee != null) {
                        int distance = startSlot.get(callee) - (base + f.code.slotOf(i) + 1);
                        insn = insn.isCall() ? insn.withImm(distance)
                                : insn.withSrc(Opcode.PSEUDO_FUNC).withImm(distance & 0xffffffffL);
                    } else if (ref instanceof Reference.KsymReference(String n, boolean isFunction) && isFunction) {
                        insn = insn.withSrc(Opcode.PSEUDO_KFUNC_CALL);
                    }
                    code.add(insn, ref);
                }
                if (extInfo != null) {
                    String sec = f.section.name();
                    for (BtfExt.FuncInfo fi : extInfo.funcInfos().getOrDefault(sec, List.of())) {
                        if (covers(f, fi.insnOff())) funcInfos.add(new FuncInfo(slot(f, base, fi.insnOff()), fi.typeId()));
                    }
                    for (BtfExt.LineInfo li : extInfo.lineInfos().getOrDefault(sec, List.of())) {
                        if (covers(f, li.insnOff())) {
                            lineInfos.add(new LineInfo(slot(f, base, li.insnOff()), li.fileName(), li.line(),
                                    li.lineNumber(), li.column()));
                        }
                    }
                    for (BtfExt.CoreRelo cr : extInfo.coreRelos().getOrDefault(sec, List.of())) {
                        if (covers(f, cr.insnOff())) {
                            relocations.add(new CoreRelocation(slot(f, base, cr.insnOff()), cr.typeId(),
                                    cr.accessString(), cr.kind()));
                        }
                    }
                }
            }
            ProgramSection section = ProgramSection.parse(main.section.name()).orElse(null);
            ProgramType type = section == null ? ProgramType.UNSPEC : section.type();
            return new ProgramSpec(main.name, main.section.name(), type, section == null ? null : section.attachType(),
                    section == null ? null : section.target(), section == null ? 0 : section.programFlags(),
                    license, version, code.build(), funcInfos, lineInfos, relocations);
        }

        private static boolean covers(Function f, int byteOffset) {
            long offset = Integer.toUnsignedLong(byteOffset);
            return offset >= f.start && offset < f.end();
        }

        private int slot(Function f, int base, int byteOffset) {
            long rel = Integer.toUnsignedLong(byteOffset) - f.start;
            if (rel % Instruction.SLOT_SIZE != 0) {
                throw elf.fail(".BTF.ext record at byte " + byteOffset + " of " + f.section + " is not on an instruction");
            }
            return base + (int) (rel / Instruction.SLOT_SIZE);
        }

        // ---- externs ----

        private void collectExterns() {
            Map<String, Integer> kconfig = btf == null ? Map.of() : dataSecVars(KCONFIG);
            Map<String, Integer> ksyms = btf == null ? Map.of() : dataSecVars(KSYMS);
            for (Symbol s : symbols) {
                if (!s.isUndefined() || s.name().isEmpty() || !s.isGlobal()) continue;
                boolean weak = s.binding() == Symbol.Binding.WEAK;
                ExternSpec.Kind kind;
                int type;
                if (kconfig.containsKey(s.name())) {
                    kind = ExternSpec.Kind.KCONFIG;
                    type = kconfig.get(s.name());
                } else if (ksyms.containsKey(s.name())) {
                    type = ksyms.get(s.name());
                    kind = btf.type(type) instanceof BtfType.Func ? ExternSpec.Kind.KFUNC : ExternSpec.Kind.KSYM;
                } else if (btf != null && btf.func(s.name()).isPresent()) {
                    // Extern kfunc declarations used only in calls may sit outside any DataSec.
                    kind = ExternSpec.Kind.KFUNC;
                    type = btf.lookupFirst(s.name(), BtfType.Func.class).getAsInt();
                } else if (btf == null) {
                    // Without BTF, fall back on the naming rule libbpf's kconfig externs follow.
                    kind = s.name().startsWith("CONFIG_") || s.name().startsWith("LINUX_")
                            ? ExternSpec.Kind.KCONFIG : ExternSpec.Kind.KSYM;
                    type = 0;
                } else {
                    continue; // an undefined symbol no instruction may use; reported if a relocation names it
                }
                externs.put(s.name(), new ExternSpec(s.name(), kind, weak, type));
            }
        }

        /** Names of a DataSec's variables (or functions) → their VAR/FUNC type id. */
        private Map<String, Integer> dataSecVars(String section) {
            Map<String, Integer> result = new HashMap<>();
            btf.dataSec(section).ifPresent(ds -> {
                for (BtfType.VarSecInfo v : ds.vars()) result.put(btf.name(v.type()), v.type());
            });
            return result;
        }

        // ---- maps ----

        private void readBtfMaps(Map<String, MapSpec> maps) {
            if (btf == null) {
                throw elf.fail(".maps holds BTF-defined maps but the object has no .BTF section: compile with -g");
            }
            BtfType.DataSec ds = btf.dataSec(MAPS).orElseThrow(
                    () -> elf.fail(".maps has no DataSec in the object's BTF: compile with -g"));
            Map<String, Symbol> mapSymbols = new HashMap<>();
            for (Symbol s : symbols) {
                if (s.sectionIndex() == mapsSection.index() && s.type() != Symbol.Type.SECTION && !s.name().isEmpty()) {
                    mapSymbols.put(s.name(), s);
                }
            }
            Map<String, List<MapSpec.Entry>> initialValues = readMapValues();
            for (BtfType.VarSecInfo info : ds.vars()) {
                if (!(btf.type(info.type()) instanceof BtfType.Var var)) {
                    throw elf.fail(".maps DataSec entry " + info.type() + " is not a variable");
                }
                Symbol sym = mapSymbols.get(var.name());
                if (sym == null) throw elf.fail("map " + var.name() + " has BTF but no symbol in .maps");
                BtfMapDef def = mapDefinition(var.name(), var.type());
                MapSpec spec = def.spec();
                List<MapSpec.Entry> values = initialValues.get(var.name());
                if (values != null) {
                    if (!spec.type().equals(MapType.PROG_ARRAY) && spec.innerMap() == null) {
                        throw elf.fail("map " + var.name() + " of type " + spec.type()
                                + " has initial values; only program arrays and maps of maps can");
                    }
                    spec = spec.withContents(values);
                }
                maps.put(var.name(), spec);
            }
        }

        /** A parsed map definition and where its {@code values} array sits in the struct. */
        private record BtfMapDef(MapSpec spec, int valuesOffset) {}

        private BtfMapDef mapDefinition(String name, int typeId) {
            int resolved = btf.resolve(typeId);
            if (!(btf.type(resolved) instanceof BtfType.Struct struct)) {
                throw elf.fail("map " + name + " is a " + btf.kind(resolved) + " in BTF, not a struct of __uint/__type fields");
            }
            MapType type = null;
            int keySize = -1, valueSize = -1, maxEntries = 0, flags = 0, numaNode = 0, keyType = 0, valueType = 0;
            long mapExtra = 0;
            MapSpec.Pinning pinning = MapSpec.Pinning.NONE;
            MapSpec inner = null;
            int valuesOffset = -1;
            for (BtfType.Member m : struct.members()) {
                String what = "map " + name + " field " + m.name();
                switch (m.name()) {
                    case "type" -> {
                        int value = (int) uintField(m, what);
                        try {
                            type = MapType.of(value);
                        } catch (IllegalArgumentException e) {
                            throw elf.fail(what + ": unknown map type " + value, e);
                        }
                    }
                    case "max_entries" -> maxEntries = (int) uintField(m, what);
                    case "map_flags" -> flags = (int) uintField(m, what);
                    case "numa_node" -> numaNode = (int) uintField(m, what);
                    case "map_extra" -> mapExtra = uintField(m, what);
                    case "key_size" -> keySize = checkSize(keySize, (int) uintField(m, what), what);
                    case "value_size" -> valueSize = checkSize(valueSize, (int) uintField(m, what), what);
                    case "key" -> {
                        keyType = pointee(m, what);
                        keySize = checkSize(keySize, sizeOf(keyType, what), what);
                    }
                    case "value" -> {
                        valueType = pointee(m, what);
                        valueSize = checkSize(valueSize, sizeOf(valueType, what), what);
                    }
                    case "pinning" -> {
                        long value = uintField(m, what);
                        if (value == LIBBPF_PIN_BY_NAME) pinning = MapSpec.Pinning.BY_NAME;
                        else if (value != 0) {
                            throw elf.fail(what + ": pinning " + value + " is not LIBBPF_PIN_NONE (0) or LIBBPF_PIN_BY_NAME (1)");
                        }
                    }
                    case "values" -> {
                        valuesOffset = m.bitOffset() / 8;
                        inner = valuesElement(name, m, what);
                    }
                    default -> throw elf.fail("map " + name + " has unknown field '" + m.name()
                            + "'; known: type, max_entries, map_flags, numa_node, map_extra, key_size, value_size, "
                            + "key, value, pinning, values");
                }
            }
            if (type == null) throw elf.fail("map " + name + " has no type: add __uint(type, BPF_MAP_TYPE_...)");
            boolean mapOfMaps = type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
            if (mapOfMaps) {
                if (inner == null) {
                    throw elf.fail("map " + name + " is a map of maps without an inner definition: add __array(values, struct ...)");
                }
                // The kernel stores inner map fds: the value is a 4-byte id.
                if (valueSize < 0) valueSize = 4;
            } else {
                inner = null; // a program array's values declare a function prototype, not a map
            }
            if (type == MapType.PROG_ARRAY && valueSize < 0) valueSize = 4;
            MapSpec spec = new MapSpec(name, type, Math.max(keySize, 0), Math.max(valueSize, 0), maxEntries, flags,
                    mapExtra, pinning, inner, List.of(), numaNode, keyType, valueType);
            return new BtfMapDef(spec, valuesOffset);
        }

        /** The size of a key or value type; a type without one (void, a function, a forward declaration) is an error. */
        private int sizeOf(int type, String what) {
            long size;
            try {
                size = btf.sizeOf(type);
            } catch (IllegalArgumentException e) {
                throw elf.fail(what + ": " + btf.describe(type) + " has no size (a forward declaration, void or a function);"
                        + " declare the type completely before the map", e);
            }
            if (size < 0 || size > Integer.MAX_VALUE) {
                throw elf.fail(what + ": " + btf.describe(type) + " is " + size + " bytes, too large for a map");
            }
            return (int) size;
        }

        private static int checkSize(int previous, int size, String what) {
            if (previous >= 0 && previous != size) {
                throw new FormatException(what + ": size " + size + " contradicts the size " + previous
                        + " given by another field");
            }
            return size;
        }

        /** {@code __uint(name, val)} is {@code int (*name)[val]}: the array length is the value. */
        private long uintField(BtfType.Member m, String what) {
            BtfType t = btf.type(btf.resolve(m.type()));
            if (t instanceof BtfType.Ptr p && btf.type(btf.resolve(p.type())) instanceof BtfType.Array a) {
                return Integer.toUnsignedLong(a.length());
            }
            // A 64-bit value such as map_extra may come as a single-enumerator enum.
            if (t instanceof BtfType.Enumeration e && e.values().size() == 1) return e.values().getFirst().value();
            throw elf.fail(what + " is not declared with __uint(): found " + btf.describe(m.type()));
        }

        /** {@code __type(name, T)} is {@code typeof(T) *name}: the pointee is the type. */
        private int pointee(BtfType.Member m, String what) {
            if (btf.type(btf.resolve(m.type())) instanceof BtfType.Ptr p) return p.type();
            throw elf.fail(what + " is not declared with __type(): found " + btf.describe(m.type()));
        }

        /** {@code __array(values, T)} is {@code typeof(T) *values[]}; T is an inner map struct or a function. */
        private MapSpec valuesElement(String name, BtfType.Member m, String what) {
            if (btf.type(btf.resolve(m.type())) instanceof BtfType.Array a
                    && btf.type(btf.resolve(a.type())) instanceof BtfType.Ptr p) {
                int element = btf.resolve(p.type());
                if (btf.type(element) instanceof BtfType.Struct) {
                    BtfMapDef inner = mapDefinition(name + ".inner", element);
                    return inner.spec();
                }
                return null;
            }
            throw elf.fail(what + " is not declared with __array(): found " + btf.describe(m.type()));
        }

        /** {@code .rel.maps}: slot i of a map's {@code values} points at a program or map symbol. */
        private Map<String, List<MapSpec.Entry>> readMapValues() {
            Map<String, List<MapSpec.Entry>> result = new HashMap<>();
            for (Section rel : elf.sections()) {
                if ((rel.type() != Section.SHT_REL && rel.type() != Section.SHT_RELA) || rel.info() != mapsSection.index()) {
                    continue;
                }
                List<Symbol> relSymbols = elf.symbolsOf(rel);
                for (Relocation r : elf.relocations(rel)) {
                    String where = "relocation at offset " + r.offset() + " of .maps";
                    Symbol map = symbols.stream().filter(s -> s.sectionIndex() == mapsSection.index()
                                    && s.type() == Symbol.Type.OBJECT && r.offset() >= s.value() && r.offset() < s.value() + s.size())
                            .findFirst().orElseThrow(() -> elf.fail(where + " is inside no map"));
                    if (r.symbolIndex() <= 0 || r.symbolIndex() >= relSymbols.size()) {
                        throw elf.fail(where + " names symbol " + r.symbolIndex() + ", which does not exist");
                    }
                    Symbol target = relSymbols.get(r.symbolIndex());
                    int id = btf.lookupFirst(map.name(), BtfType.Var.class)
                            .orElseThrow(() -> elf.fail("map " + map.name() + " has no BTF variable"));
                    BtfMapDef def = mapDefinition(map.name(), ((BtfType.Var) btf.type(id)).type());
                    long relative = r.offset() - map.value() - def.valuesOffset();
                    if (def.valuesOffset() < 0 || relative < 0 || relative % 8 != 0) {
                        throw elf.fail(where + " is not in map " + map.name() + "'s values array");
                    }
                    result.computeIfAbsent(map.name(), k -> new ArrayList<>())
                            .add(new MapSpec.Entry((int) (relative / 8), target.name()));
                }
            }
            return result;
        }

        /** {@code struct bpf_map_def} (type, key_size, value_size, max_entries, map_flags) per symbol in "maps". */
        private void readLegacyMaps(Map<String, MapSpec> maps) {
            MemorySegment bytes = elf.contents(legacyMapsSection);
            for (Symbol s : symbols) {
                if (s.sectionIndex() != legacyMapsSection.index() || s.type() == Symbol.Type.SECTION || s.name().isEmpty()) {
                    continue;
                }
                if (s.size() < 16 || !fits(s.value(), s.size(), legacyMapsSection)) {
                    throw elf.fail("legacy map " + s.name() + " at offset " + s.value() + " has size " + s.size()
                            + "; struct bpf_map_def needs at least 16 bytes inside the 'maps' section");
                }
                long at = s.value();
                int typeValue = elf.u32(bytes, at);
                MapType type;
                try {
                    type = MapType.of(typeValue);
                } catch (IllegalArgumentException e) {
                    throw elf.fail("legacy map " + s.name() + ": unknown map type " + typeValue, e);
                }
                int flags = s.size() >= 20 ? elf.u32(bytes, at + 16) : 0;
                maps.put(s.name(), MapSpec.of(s.name(), type, elf.u32(bytes, at + 4), elf.u32(bytes, at + 8),
                        elf.u32(bytes, at + 12)).withFlags(flags));
            }
        }

        // ---- global data ----

        private static boolean isDataSection(Section s) {
            String n = s.name();
            boolean named = n.equals(".data") || n.startsWith(".data.") || n.equals(".rodata") || n.startsWith(".rodata.")
                    || n.equals(".bss") || n.startsWith(".bss.");
            return named && (s.type() == Section.SHT_PROGBITS || s.type() == Section.SHT_NOBITS);
        }

        private void readDataSections(Map<String, MapSpec> maps, Map<String, VariableSpec> variables) {
            for (Section s : dataSections.values()) {
                if (s.size() == 0) continue;
                if (s.size() < 0 || s.size() > (s.isNoBits() ? MAX_ZEROED_SECTION : Integer.MAX_VALUE - 8)) {
                    throw elf.fail(s + " is " + Long.toUnsignedString(s.size()) + " bytes, too large for a global data map's value");
                }
                boolean readOnly = s.name().startsWith(".rodata");
                byte[] contents = s.isNoBits() ? new byte[(int) s.size()] : elf.contents(s).toArray(ValueLayout.JAVA_BYTE);
                int flags = BpfFlags.BPF_F_MMAPABLE | (readOnly ? BpfFlags.BPF_F_RDONLY_PROG : 0);
                int dataSecId = btf == null ? 0 : btf.lookupFirst(s.name(), BtfType.DataSec.class).orElse(0);
                MapSpec spec = MapSpec.of(s.name(), MapType.ARRAY, 4, (int) s.size(), 1).withFlags(flags)
                        .withContents(List.of(new MapSpec.Entry(0, contents))).withBtfTypes(0, dataSecId);
                maps.put(s.name(), spec);
                Map<String, Integer> varTypes = new HashMap<>();
                if (dataSecId != 0) {
                    BtfType.DataSec ds = (BtfType.DataSec) btf.type(dataSecId);
                    for (BtfType.VarSecInfo v : ds.vars()) {
                        if (btf.type(v.type()) instanceof BtfType.Var var) varTypes.put(var.name(), var.type());
                    }
                }
                for (Symbol sym : symbols) {
                    if (sym.sectionIndex() != s.index() || sym.type() != Symbol.Type.OBJECT || sym.name().isEmpty()) continue;
                    if (sym.size() == 0 ? sym.value() < 0 || sym.value() > s.size() : !fits(sym.value(), sym.size(), s)) {
                        throw elf.fail("variable " + sym.name() + " at offset " + sym.value() + " with size " + sym.size()
                                + " runs past " + s);
                    }
                    variables.put(sym.name(), new VariableSpec(sym.name(), s.name(), (int) sym.value(), (int) sym.size(),
                            varTypes.getOrDefault(sym.name(), 0), readOnly));
                }
            }
        }

        /**
         * Compilers leave DataSec sizes and variable offsets at 0 in object BTF; the kernel rejects
         * that, so fill them in from the ELF sections and symbols, as libbpf does.
         */
        private void fixDataSecs() {
            if (btf == null) return;
            // One rebuild for all DataSecs: re-encoding the BTF per section would dominate reading.
            List<BtfType> types = null;
            for (int id = btf.firstTypeId(); id < btf.typeCount(); id++) {
                if (!(btf.type(id) instanceof BtfType.DataSec ds)) continue;
                Section s = elf.section(ds.name()).orElse(null);
                if (s == null) continue; // .kconfig and .ksyms: the loader lays those out
                Map<String, Symbol> byName = new HashMap<>();
                for (Symbol sym : symbols) {
                    if (sym.sectionIndex() == s.index() && sym.type() == Symbol.Type.OBJECT && !sym.name().isEmpty()) {
                        byName.put(sym.name(), sym);
                    }
                }
                List<BtfType.VarSecInfo> vars = new ArrayList<>(ds.vars().size());
                for (BtfType.VarSecInfo v : ds.vars()) {
                    String name = btf.name(v.type());
                    Symbol sym = byName.get(name);
                    if (sym == null) {
                        throw elf.fail("BTF DataSec " + ds.name() + " lists variable " + name + ", which has no symbol in " + s);
                    }
                    vars.add(new BtfType.VarSecInfo(v.type(), (int) sym.value(), v.size()));
                }
                if (types == null) types = new ArrayList<>(btf.ownTypes());
                types.set(id - btf.firstTypeId(), new BtfType.DataSec(ds.name(), (int) s.size(), vars));
            }
            if (types != null) btf = btf.withTypes(types);
        }

        /**
         * Global functions with hidden visibility (libbpf's {@code __hidden}, e.g. {@code bpf_usdt_arg}
         * in {@code <bpf/usdt.bpf.h>}) cannot be called from outside the object, so their BTF
         * linkage becomes static, as libbpf does: the verifier then checks them in each caller's
         * context (a pointer argument known non-null) instead of on their own.
         */
        private void makeHiddenFunctionsStatic() {
            if (btf == null) return;
            java.util.Set<String> hidden = new java.util.HashSet<>();
            for (Symbol sym : symbols) {
                if (sym.type() == Symbol.Type.FUNC && sym.isGlobal() && sym.visibility() == Symbol.Visibility.HIDDEN) {
                    hidden.add(sym.name());
                }
            }
            if (hidden.isEmpty()) return;
            List<BtfType> types = null;
            List<BtfType> own = btf.ownTypes();
            for (int i = 0; i < own.size(); i++) {
                if (own.get(i) instanceof BtfType.Func f && f.linkage() == BtfType.Linkage.GLOBAL && hidden.contains(f.name())) {
                    if (types == null) types = new ArrayList<>(own);
                    types.set(i, new BtfType.Func(f.name(), f.type(), BtfType.Linkage.STATIC));
                }
            }
            if (types != null) btf = btf.withTypes(types);
        }

        /** Whether {@code size > 0} bytes at {@code offset} lie inside the section (no overflow for any operands). */
        private static boolean fits(long offset, long size, Section section) {
            return offset >= 0 && size > 0 && offset <= section.size() && size <= section.size() - offset;
        }

        private static String cString(MemorySegment bytes) {
            byte[] raw = bytes.toArray(ValueLayout.JAVA_BYTE);
            int end = 0;
            while (end < raw.length && raw[end] != 0) end++;
            return new String(raw, 0, end, StandardCharsets.UTF_8);
        }

        private String displayName(Symbol sym) {
            return sym.name().isEmpty() && sym.isInSection() ? elf.section(sym.sectionIndex()).name() : sym.name();
        }
    }
}
