package dev.jbcc.spec;

import dev.jbcc.asm.Helper;
import dev.jbcc.asm.Instruction;
import dev.jbcc.asm.Instructions;
import dev.jbcc.asm.Reference.DataReference;
import dev.jbcc.asm.Reference.FunctionReference;
import dev.jbcc.asm.Reference.KconfigReference;
import dev.jbcc.asm.Reference.KsymReference;
import dev.jbcc.asm.Reference.MapReference;
import dev.jbcc.asm.Reference;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.elf.ClangBpf;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.NotFoundException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ObjectReaderTest {
    /** Maps of several shapes, global data, subprograms, a callback, kconfig and ksym externs, a kfunc. */
    static final String FEATURES = """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            char LICENSE[] SEC("license") = "Dual BSD/GPL";

            struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, int); __type(value, long); };
            struct inner inner_a SEC(".maps"), inner_b SEC(".maps");
            struct {
                __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
                __uint(max_entries, 3);
                __type(key, int);
                __array(values, struct inner);
            } outer SEC(".maps") = { .values = { [0] = &inner_a, [2] = &inner_b } };
            struct {
                __uint(type, BPF_MAP_TYPE_HASH);
                __uint(max_entries, 1024);
                __type(key, int);
                __type(value, long);
                __uint(pinning, LIBBPF_PIN_BY_NAME);
                __uint(map_flags, BPF_F_NO_PREALLOC);
            } counts SEC(".maps");
            struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096 * 4); } events SEC(".maps");
            struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } perf SEC(".maps");
            struct { __uint(type, BPF_MAP_TYPE_BLOOM_FILTER); __uint(max_entries, 64); __type(value, int); __uint(map_extra, 3); } bloom SEC(".maps");

            int gdata = 7;
            long gpad = 0x1122334455667788;
            int gbss;
            static int sbss;
            const volatile int grodata = 42;
            char note[16] SEC(".data.notes") = "hello";

            extern int LINUX_KERNEL_VERSION __kconfig;
            extern int CONFIG_HZ __kconfig __weak;
            extern const int bpf_prog_active __ksym;
            extern void bpf_rcu_read_lock(void) __ksym;

            static __attribute__((noinline)) int sub(int x) { return x * gdata + grodata; }
            static long cb(__u32 i, void *ctx) { gbss++; sbss++; return 0; }

            SEC("xdp") int prog1(struct xdp_md *ctx) {
                int k = 0;
                long *v = bpf_map_lookup_elem(&counts, &k);
                if (v) *v += sub(k) + LINUX_KERNEL_VERSION + CONFIG_HZ;
                bpf_loop(10, cb, 0, 0);
                return XDP_PASS;
            }
            SEC("tp_btf/sched_switch") int prog2(void *ctx) {
                bpf_rcu_read_lock();
                return sub(3) + (long)&bpf_prog_active + note[1];
            }
            """;

    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = ObjectReader.read(ClangBpf.compile(FEATURES));
    }

    @Test
    void programsFromSectionsAndSymbols() {
        assertEquals(List.of("prog1", "prog2"), List.copyOf(spec.programs().keySet()));
        ProgramSpec p1 = spec.program("prog1");
        assertEquals("xdp", p1.sectionName());
        assertEquals(ProgramType.XDP, p1.type());
        assertEquals(AttachType.XDP, p1.attachType());
        assertNull(p1.attachTarget());
        assertEquals("Dual BSD/GPL", p1.license());
        ProgramSpec p2 = spec.program("prog2");
        assertEquals(ProgramType.TRACING, p2.type());
        assertEquals(AttachType.TRACE_RAW_TP, p2.attachType());
        assertEquals("sched_switch", p2.attachTarget());
        assertFalse(spec.programs().containsKey("sub"), "static .text functions are subprograms, not programs");
    }

    @Test
    void subprogramsAreLinkedIntoEachProgram() {
        Instructions p1 = spec.program("prog1").instructions();
        assertEquals("prog1", p1.symbol(0));
        int sub = p1.indexOfSymbol("sub");
        int cb = p1.indexOfSymbol("cb");
        assertTrue(sub > 0 && cb > 0, p1.disassemble());
        int calls = 0, loads = 0;
        for (int i = 0; i < p1.size(); i++) {
            if (!(p1.reference(i) instanceof FunctionReference(String name))) continue;
            Instruction insn = p1.get(i);
            assertEquals(p1.indexOfSymbol(name), p1.targetOf(i), "reference and patched distance agree at " + i);
            if (insn.isPseudoCall()) calls++;
            if (insn.isPseudoFunc()) loads++;
        }
        assertEquals(1, calls, "prog1 calls sub once");
        assertEquals(1, loads, "prog1 loads cb's address for bpf_loop");
        // The callback load is bpf_loop's second argument.
        int loopCall = indexOf(p1, i -> p1.get(i).isHelperCall() && p1.get(i).imm() == Helper.LOOP.id());
        int cbLoad = indexOf(p1, i -> p1.reference(i) instanceof FunctionReference(String n) && n.equals("cb"));
        assertEquals(2, p1.get(cbLoad).dst());
        assertTrue(cbLoad < loopCall);

        Instructions p2 = spec.program("prog2").instructions();
        assertTrue(p2.indexOfSymbol("sub") > 0);
        assertEquals(-1, p2.indexOfSymbol("cb"), "only reachable functions are linked");
        // Every program's code ends with an exit, and each subprogram does too.
        assertTrue(p2.get(p2.indexOfSymbol("sub") - 1).isExit());
        assertTrue(p2.get(p2.size() - 1).isExit());
    }

    @Test
    void relocationsBecomeTypedReferences() {
        Instructions p1 = spec.program("prog1").instructions();
        List<Reference> refs = references(p1);
        assertTrue(refs.contains(new MapReference("counts")), refs.toString());
        assertTrue(refs.contains(new KconfigReference("LINUX_KERNEL_VERSION")), refs.toString());
        assertTrue(refs.contains(new KconfigReference("CONFIG_HZ")), refs.toString());
        VariableSpec gdata = spec.variable("gdata");
        VariableSpec grodata = spec.variable("grodata");
        VariableSpec gbss = spec.variable("gbss");
        VariableSpec sbss = spec.variable("sbss");
        assertTrue(refs.contains(new DataReference(".data", gdata.offset())), refs.toString());
        assertTrue(refs.contains(new DataReference(".rodata", grodata.offset())), refs.toString());
        assertTrue(refs.contains(new DataReference(".bss", gbss.offset())), refs.toString());
        assertTrue(refs.contains(new DataReference(".bss", sbss.offset())), "static variable via section symbol: " + refs);
        for (int i = 0; i < p1.size(); i++) {
            Reference r = p1.reference(i);
            if (r == null) continue;
            boolean call = r instanceof FunctionReference && p1.get(i).isCall()
                    || r instanceof KsymReference k && k.isFunction();
            assertEquals(!call, p1.get(i).isLoadImm64(), "reference " + r + " at " + i + " sits on " + p1.get(i));
        }
        // The map load fills r1, the first argument of the next helper call: bpf_map_lookup_elem.
        int mapLoad = indexOf(p1, i -> new MapReference("counts").equals(p1.reference(i)));
        assertEquals(1, p1.get(mapLoad).dst());
        int nextCall = indexOf(p1, i -> i > mapLoad && p1.get(i).isCall());
        assertEquals(Helper.MAP_LOOKUP_ELEM.id(), p1.get(nextCall).imm());

        Instructions p2 = spec.program("prog2").instructions();
        assertEquals(new KsymReference("bpf_rcu_read_lock", true), p2.reference(0));
        assertTrue(p2.get(0).isKfuncCall(), "kfunc calls are marked BPF_PSEUDO_KFUNC_CALL");
        assertTrue(references(p2).contains(new KsymReference("bpf_prog_active", false)));
        VariableSpec note = spec.variable("note");
        assertTrue(references(p2).stream().anyMatch(r -> r instanceof DataReference(String section, int offset)
                && section.equals(".data.notes") && offset >= note.offset() && offset < note.offset() + note.size()),
                references(p2).toString());
    }

    @Test
    void externs() {
        Map<String, ExternSpec> ext = spec.externs();
        assertEquals(ExternSpec.Kind.KCONFIG, ext.get("LINUX_KERNEL_VERSION").kind());
        assertFalse(ext.get("LINUX_KERNEL_VERSION").weak());
        assertEquals(ExternSpec.Kind.KCONFIG, ext.get("CONFIG_HZ").kind());
        assertTrue(ext.get("CONFIG_HZ").weak());
        assertEquals(ExternSpec.Kind.KSYM, ext.get("bpf_prog_active").kind());
        assertEquals(ExternSpec.Kind.KFUNC, ext.get("bpf_rcu_read_lock").kind());
        Btf btf = spec.btf();
        assertInstanceOf(BtfType.Var.class, btf.type(ext.get("CONFIG_HZ").btfType()));
        assertInstanceOf(BtfType.Func.class, btf.type(ext.get("bpf_rcu_read_lock").btfType()));
    }

    @Test
    void btfDefinedMaps() {
        MapSpec counts = spec.map("counts");
        assertEquals(MapType.HASH, counts.type());
        assertEquals(4, counts.keySize());
        assertEquals(8, counts.valueSize());
        assertEquals(1024, counts.maxEntries());
        assertEquals(1, counts.flags(), "BPF_F_NO_PREALLOC");
        assertEquals(MapSpec.Pinning.BY_NAME, counts.pinning());
        assertEquals("int", spec.btf().name(counts.btfKeyType()));
        assertEquals("long", spec.btf().name(counts.btfValueType()));

        MapSpec outer = spec.map("outer");
        assertEquals(MapType.ARRAY_OF_MAPS, outer.type());
        assertEquals(3, outer.maxEntries());
        assertEquals(4, outer.valueSize());
        MapSpec inner = outer.innerMap();
        assertNotNull(inner);
        assertEquals(MapType.ARRAY, inner.type());
        assertEquals(4, inner.keySize());
        assertEquals(8, inner.valueSize());
        assertEquals(4, inner.maxEntries());
        assertEquals(List.of(new MapSpec.Entry(0, "inner_a"), new MapSpec.Entry(2, "inner_b")), outer.contents());
        assertEquals(MapType.ARRAY, spec.map("inner_a").type());

        MapSpec events = spec.map("events");
        assertEquals(MapType.RINGBUF, events.type());
        assertEquals(0, events.keySize());
        assertEquals(0, events.valueSize());
        assertEquals(16384, events.maxEntries());
        MapSpec perf = spec.map("perf");
        assertEquals(MapType.PERF_EVENT_ARRAY, perf.type());
        assertEquals(4, perf.keySize());
        assertEquals(4, perf.valueSize());
        MapSpec bloom = spec.map("bloom");
        assertEquals(3, bloom.mapExtra());
        assertEquals(0, bloom.keySize());
    }

    @Test
    void globalDataMapsAndVariables() {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        MapSpec data = spec.map(".data");
        assertEquals(MapType.ARRAY, data.type());
        assertEquals(1, data.maxEntries());
        assertEquals(4, data.keySize());
        assertEquals(BpfFlags.BPF_F_MMAPABLE, data.flags());
        byte[] bytes = (byte[]) data.contents().getFirst().value();
        assertEquals(data.valueSize(), bytes.length);
        VariableSpec gdata = spec.variable("gdata");
        assertEquals(4, gdata.size());
        assertEquals(7, ByteBuffer.wrap(bytes).order(le).getInt(gdata.offset()));
        VariableSpec gpad = spec.variable("gpad");
        assertEquals(0x1122334455667788L, ByteBuffer.wrap(bytes).order(le).getLong(gpad.offset()));
        assertEquals("long", spec.btf().name(gpad.btfType()));

        MapSpec rodata = spec.map(".rodata");
        assertEquals(BpfFlags.BPF_F_MMAPABLE | BpfFlags.BPF_F_RDONLY_PROG, rodata.flags());
        assertTrue(spec.variable("grodata").readOnly());
        assertEquals(42, ByteBuffer.wrap(spec.variableValue("grodata")).order(le).getInt());

        MapSpec bss = spec.map(".bss");
        for (byte b : (byte[]) bss.contents().getFirst().value()) assertEquals(0, b);
        assertEquals(".bss", spec.variable("sbss").section(), "static variables are found too");

        VariableSpec note = spec.variable("note");
        assertEquals(".data.notes", note.section());
        assertEquals("hello", new String(spec.variableValue("note"), 0, 5));

        // Set a const volatile before load: only the copy changes.
        CollectionSpec tuned = spec.withVariable("grodata", 99);
        assertEquals(99, ByteBuffer.wrap(tuned.variableValue("grodata")).order(le).getInt());
        assertEquals(42, ByteBuffer.wrap(spec.variableValue("grodata")).order(le).getInt());
        assertThrows(IllegalArgumentException.class, () -> spec.withVariable("grodata", new byte[3]));
        assertThrows(NotFoundException.class, () -> spec.variable("nope"));

        // The BTF's DataSecs now carry the sizes and offsets the kernel checks.
        BtfType.DataSec ds = spec.btf().dataSec(".data").orElseThrow();
        assertEquals(data.valueSize(), ds.size());
        assertEquals(ds.vars().size(), 2);
        for (BtfType.VarSecInfo v : ds.vars()) {
            assertEquals(spec.variable(spec.btf().name(v.type())).offset(), v.offset());
        }
        assertEquals(spec.btf().lookupFirst(".data", BtfType.DataSec.class).getAsInt(), data.btfValueType());
    }

    @Test
    void btfExtInfoIsPerProgram() {
        Btf btf = spec.btf();
        ProgramSpec p1 = spec.program("prog1");
        Instructions code = p1.instructions();
        // One func_info per linked function, at the function's first slot.
        List<String> funcs = new ArrayList<>();
        for (FuncInfo f : p1.funcInfos()) {
            int index = code.indexOfSlot(f.instructionOffset());
            assertTrue(index >= 0);
            assertEquals(code.symbol(index), btf.name(f.typeId()));
            funcs.add(btf.name(f.typeId()));
        }
        assertEquals(List.of("prog1", "sub", "cb"), funcs);
        assertFalse(p1.lineInfos().isEmpty());
        assertEquals(0, p1.lineInfos().getFirst().instructionOffset());
        for (LineInfo l : p1.lineInfos()) {
            assertTrue(code.indexOfSlot(l.instructionOffset()) >= 0, "line info on an instruction: " + l);
            assertTrue(l.fileName().endsWith("prog.c"), l.fileName());
            assertTrue(l.line() > 0);
        }
        assertTrue(p1.lineInfos().stream().anyMatch(l -> l.source().contains("bpf_loop(10, cb, 0, 0)")));
        // Line infos of the linked subprogram lie in its range.
        int subSlot = code.slotOf(code.indexOfSymbol("sub"));
        assertTrue(p1.lineInfos().stream().anyMatch(l -> l.instructionOffset() == subSlot
                && l.source().contains("x * gdata")));
        ProgramSpec p2 = spec.program("prog2");
        assertEquals(List.of("prog2", "sub"), p2.funcInfos().stream().map(f -> btf.name(f.typeId())).toList());
    }

    @Test
    void coreRelocations() {
        CollectionSpec core = ObjectReader.read(ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                #include <bpf/bpf_core_read.h>
                struct task_struct___local { int jbcc_missing; int tgid; int pid; } __attribute__((preserve_access_index));
                int out_pid, out_exists;
                SEC("raw_tp/sys_enter") int read_task(void *ctx) {
                    struct task_struct___local *t = (void *)bpf_get_current_task();
                    out_pid = BPF_CORE_READ(t, pid);
                    out_exists = bpf_core_field_exists(t->jbcc_missing);
                    return 0;
                }
                char LICENSE[] SEC("license") = "GPL";
                """));
        ProgramSpec p = core.program("read_task");
        assertEquals(ProgramType.RAW_TRACEPOINT, p.type());
        assertEquals("sys_enter", p.attachTarget());
        List<CoreRelocation> relos = p.coreRelocations();
        assertEquals(2, relos.size(), relos.toString());
        Btf btf = core.btf();
        for (CoreRelocation r : relos) {
            assertEquals("task_struct___local", btf.name(r.typeId()));
            assertTrue(p.instructions().indexOfSlot(r.instructionOffset()) >= 0);
        }
        CoreRelocation offset = relos.stream().filter(r -> r.kind() == dev.jbcc.btf.CoreReloKind.FIELD_BYTE_OFFSET).findFirst().orElseThrow();
        assertEquals("0:2", offset.accessString(), "pid is member 2");
        CoreRelocation exists = relos.stream().filter(r -> r.kind() == dev.jbcc.btf.CoreReloKind.FIELD_EXISTS).findFirst().orElseThrow();
        assertEquals("0:0", exists.accessString());
    }

    @Test
    void tailCallsGlobalSubprogramsAndTransitiveCalls() {
        CollectionSpec calls = ObjectReader.read(ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                char LICENSE[] SEC("license") = "GPL";
                int counter SEC(".data.custom") = 5;
                __attribute__((noinline)) int global_sub(int x) { return x + counter; }
                static __attribute__((noinline)) int static_sub(int x) { return global_sub(x) * 2; }
                SEC("xdp") int tail(struct xdp_md *ctx) { return XDP_DROP; }
                struct {
                    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
                    __uint(max_entries, 4);
                    __type(key, __u32);
                    __array(values, int (void *));
                } jump_table SEC(".maps") = { .values = { [2] = (void *)&tail } };
                SEC("xdp") int entry(struct xdp_md *ctx) {
                    bpf_tail_call(ctx, &jump_table, 2);
                    bpf_printk("fell through %d", counter);
                    return static_sub(ctx->ingress_ifindex);
                }
                """));
        assertEquals(List.of("tail", "entry"), List.copyOf(calls.programs().keySet()));
        MapSpec jt = calls.map("jump_table");
        assertEquals(MapType.PROG_ARRAY, jt.type());
        assertEquals(4, jt.keySize());
        assertEquals(4, jt.valueSize());
        assertNull(jt.innerMap());
        assertEquals(List.of(new MapSpec.Entry(2, "tail")), jt.contents());

        Instructions entry = calls.program("entry").instructions();
        int staticSub = entry.indexOfSymbol("static_sub");
        int globalSub = entry.indexOfSymbol("global_sub");
        assertTrue(staticSub > 0 && globalSub > staticSub, entry.disassemble());
        int inner = indexOf(entry, i -> i >= staticSub && entry.get(i).isPseudoCall());
        assertEquals(globalSub, entry.targetOf(inner), "static_sub's call reaches global_sub");
        assertTrue(references(entry).contains(new DataReference(".data.custom", 0)));
        assertTrue(references(entry).stream().anyMatch(r -> r instanceof DataReference d && d.section().startsWith(".rodata")),
                "bpf_printk's format string lives in .rodata*");
        assertEquals(2, calls.program("tail").instructions().size(), "tail is r0 = 1; exit, nothing linked");
        assertEquals(".data.custom", calls.variable("counter").section());
    }

    @Test
    void programSectionsCarryTypeTargetAndFlags() {
        CollectionSpec s = ObjectReader.read(ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                char LICENSE[] SEC("license") = "GPL";
                SEC("kprobe/do_sys_openat2") int kp(void *ctx) { return 0; }
                SEC("kretprobe/do_sys_openat2") int krp(void *ctx) { return 0; }
                SEC("tracepoint/syscalls/sys_enter_openat") int tp(void *ctx) { return 0; }
                SEC("fentry.s/do_sys_openat2") int fs(void *ctx) { return 0; }
                SEC("lsm.s/file_open") int lsm(void *ctx) { return 0; }
                SEC("uprobe.s//bin/bash:readline") int up(void *ctx) { return 0; }
                SEC("usdt/libjvm.so:hotspot:thread__start") int usdt(void *ctx) { return 0; }
                SEC("xdp.frags") int frags(struct xdp_md *ctx) { return XDP_PASS; }
                SEC("cgroup/connect4") int conn(void *ctx) { return 1; }
                SEC("my_custom_section") int custom(void *ctx) { return 0; }
                """));
        check(s.program("kp"), ProgramType.KPROBE, null, "do_sys_openat2", 0);
        check(s.program("krp"), ProgramType.KPROBE, null, "do_sys_openat2", 0);
        assertEquals("kretprobe", s.program("krp").section().orElseThrow().kind());
        check(s.program("tp"), ProgramType.TRACEPOINT, null, "syscalls/sys_enter_openat", 0);
        check(s.program("fs"), ProgramType.TRACING, AttachType.TRACE_FENTRY, "do_sys_openat2", BpfFlags.BPF_F_SLEEPABLE);
        check(s.program("lsm"), ProgramType.LSM, AttachType.LSM_MAC, "file_open", BpfFlags.BPF_F_SLEEPABLE);
        check(s.program("up"), ProgramType.KPROBE, null, "/bin/bash:readline", BpfFlags.BPF_F_SLEEPABLE);
        check(s.program("usdt"), ProgramType.KPROBE, null, "libjvm.so:hotspot:thread__start", 0);
        check(s.program("frags"), ProgramType.XDP, AttachType.XDP, null, BpfFlags.BPF_F_XDP_HAS_FRAGS);
        check(s.program("conn"), ProgramType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT, null, 0);
        check(s.program("custom"), ProgramType.UNSPEC, null, null, 0);
        assertTrue(s.maps().isEmpty());
        assertNotNull(s.btf());
    }

    @Test
    void legacyMapsSectionAndVersion() {
        CollectionSpec s = ObjectReader.read(ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct bpf_map_def_legacy { unsigned int type, key_size, value_size, max_entries, map_flags; };
                struct bpf_map_def_legacy old_hash SEC("maps") = { BPF_MAP_TYPE_HASH, 4, 16, 128, BPF_F_NO_PREALLOC };
                struct bpf_map_def_legacy old_array SEC("maps") = { BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0 };
                char LICENSE[] SEC("license") = "GPL";
                unsigned int VERSION SEC("version") = 0x060c00;
                SEC("socket") int filter(void *skb) {
                    int k = 0;
                    return bpf_map_lookup_elem(&old_hash, &k) != 0 || bpf_map_lookup_elem(&old_array, &k) != 0;
                }
                """));
        MapSpec hash = s.map("old_hash");
        assertEquals(MapType.HASH, hash.type());
        assertEquals(4, hash.keySize());
        assertEquals(16, hash.valueSize());
        assertEquals(128, hash.maxEntries());
        assertEquals(1, hash.flags());
        assertEquals(MapType.ARRAY, s.map("old_array").type());
        ProgramSpec filter = s.program("filter");
        assertEquals(0x060c00, filter.kernelVersion());
        assertEquals(ProgramType.SOCKET_FILTER, filter.type());
        List<Reference> refs = references(filter.instructions());
        assertTrue(refs.contains(new MapReference("old_hash")) && refs.contains(new MapReference("old_array")), refs.toString());
    }

    @Test
    void bigEndianObjectsReadTheSame() {
        CollectionSpec be = ObjectReader.read(ClangBpf.compileFor("bpfeb", FEATURES));
        assertEquals(ByteOrder.BIG_ENDIAN, be.byteOrder());
        assertEquals(spec.programs().keySet(), be.programs().keySet());
        assertEquals(spec.maps().keySet(), be.maps().keySet());
        assertEquals(spec.map("counts"), be.map("counts"));
        assertEquals(references(spec.program("prog1").instructions()), references(be.program("prog1").instructions()));
        assertEquals(7, ByteBuffer.wrap(be.variableValue("gdata")).order(ByteOrder.BIG_ENDIAN).getInt());
        assertEquals(99, ByteBuffer.wrap(be.withVariable("grodata", 99).variableValue("grodata"))
                .order(ByteOrder.BIG_ENDIAN).getInt());
    }

    @Test
    void errorsNameTheCauseAndTheFix() {
        FormatException noBtf = assertThrows(FormatException.class, () -> ObjectReader.read(ClangBpf.compileNoDebug("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); } m SEC(".maps");
                SEC("xdp") int p(void *ctx) { int k = 0; return bpf_map_lookup_elem(&m, &k) != 0; }
                """)));
        assertTrue(noBtf.getMessage().contains("compile with -g"), noBtf.getMessage());

        FormatException unknownField = assertThrows(FormatException.class, () -> ObjectReader.read(ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __uint(colour, 3); __type(key, int); __type(value, int); } m SEC(".maps");
                SEC("xdp") int p(void *ctx) { int k = 0; return bpf_map_lookup_elem(&m, &k) != 0; }
                """)));
        assertTrue(unknownField.getMessage().contains("unknown field 'colour'"), unknownField.getMessage());

        FormatException badType = assertThrows(FormatException.class, () -> ObjectReader.read(ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct { __uint(type, 999); __uint(max_entries, 1); __type(key, int); __type(value, int); } m SEC(".maps");
                SEC("xdp") int p(void *ctx) { int k = 0; return bpf_map_lookup_elem(&m, &k) != 0; }
                """)));
        assertTrue(badType.getMessage().contains("unknown map type 999"), badType.getMessage());

        FormatException staticProgram = assertThrows(FormatException.class, () -> ObjectReader.read(ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                SEC("xdp") static int hidden(void *ctx) { return 1; }
                SEC("xdp") int visible(void *ctx) { return hidden(ctx); }
                """)));
        assertTrue(staticProgram.getMessage().contains("hidden") && staticProgram.getMessage().contains("static"),
                staticProgram.getMessage());

        FormatException notBpf = assertThrows(FormatException.class,
                () -> ObjectReader.read(ClangBpf.compileNative("int f(int x) { return x + 1; }")));
        assertTrue(notBpf.getMessage().contains("not BPF (247)") && notBpf.getMessage().contains("-target bpf"),
                notBpf.getMessage());
    }

    @Test
    void corruptRelocationIsNamed() throws java.io.IOException {
        byte[] object = ClangBpf.compile(FEATURES);
        dev.jbcc.elf.ElfFile elf = dev.jbcc.elf.ElfFile.of(object.clone());
        dev.jbcc.elf.Section rel = elf.section(".relxdp").orElseThrow();
        // r_info of the first entry: symbol index in the upper 32 bits (little endian: bytes 12..15).
        java.lang.foreign.MemorySegment.ofArray(object).set(
                java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), rel.offset() + 12, 99999);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("jbcc", ".o");
        try {
            java.nio.file.Files.write(file, object);
            FormatException e = assertThrows(FormatException.class, () -> ObjectReader.read(file));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("of section " + rel.info() + " (xdp) names symbol 99999, which does not exist"),
                    e.getMessage());
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    private static void check(ProgramSpec p, ProgramType type, AttachType attach, String target, int flags) {
        assertEquals(type, p.type(), p.name());
        assertEquals(attach, p.attachType(), p.name());
        assertEquals(target, p.attachTarget(), p.name());
        assertEquals(flags, p.flags(), p.name());
    }

    static List<Reference> references(Instructions insns) {
        List<Reference> refs = new ArrayList<>();
        for (int i = 0; i < insns.size(); i++) if (insns.reference(i) != null) refs.add(insns.reference(i));
        return refs;
    }

    static int indexOf(Instructions insns, java.util.function.IntPredicate test) {
        for (int i = 0; i < insns.size(); i++) if (test.test(i)) return i;
        throw new AssertionError("no matching instruction in\n" + insns.disassemble());
    }
}
