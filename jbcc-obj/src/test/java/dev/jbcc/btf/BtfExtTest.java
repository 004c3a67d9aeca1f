package dev.jbcc.btf;

import dev.jbcc.errors.FormatException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BtfExtTest {
    static final String PROGRAM = """
            #define SEC(n) __attribute__((section(n), used))
            struct task_struct {
                int state;
                int pid;
                struct task_struct *parent;
            } __attribute__((preserve_access_index));
            enum color { RED, GREEN = 5 };

            static __attribute__((noinline)) int twice(int v)
            {
                return v * 2 + 1;
            }

            static __attribute__((noinline)) int thrice(int v)
            {
                return v * 3 - 1;
            }

            SEC("tracepoint/jbcc/probe")
            int probe(struct task_struct *task)
            {
                int pid = task->parent->pid;
                int exists = __builtin_preserve_field_info(task->state, 2);
                int size = __builtin_preserve_type_info(*(struct task_struct *)0, 1);
                int green = __builtin_preserve_enum_value(*(enum color *)GREEN, 1);
                int matches = __builtin_preserve_type_info(*(struct task_struct *)0, 2);
                return twice(pid) + thrice(pid) + exists + size + green + matches;
            }

            char LICENSE[] SEC("license") = "GPL";
            """;
    static final String SECTION = "tracepoint/jbcc/probe";

    @TempDir
    static Path dir;
    static Btf btf;
    static BtfExt ext;
    static byte[] extBytes;

    @BeforeAll
    static void compile() throws Exception {
        Path o = Clang.compileBpf(dir, "ext", PROGRAM, "bpfel");
        btf = Btf.parse(Clang.section(o, ".BTF"));
        extBytes = Clang.section(o, ".BTF.ext");
        ext = BtfExt.parse(extBytes, btf);
    }

    @Test
    void funcInfoMarksEachFunctionStart() {
        // Programs sit in their SEC() section, static subprograms in .text.
        assertEquals(Set.of(SECTION, ".text"), ext.funcInfos().keySet());
        assertEquals(List.of(new BtfExt.FuncInfo(0, btf.lookupFirst("probe", BtfType.Func.class).orElseThrow())),
                ext.funcInfos().get(SECTION));
        List<BtfExt.FuncInfo> subprograms = ext.funcInfos().get(".text");
        assertEquals(List.of("twice", "thrice"), subprograms.stream().map(f -> btf.name(f.typeId())).toList());
        assertEquals(0, subprograms.get(0).insnOff());
        BtfExt.FuncInfo thrice = subprograms.get(1);
        assertTrue(thrice.insnOff() > 0 && thrice.insnOff() % 8 == 0, "byte offset of an instruction: " + thrice);
    }

    @Test
    void lineInfoPointsAtTheSource() {
        List<BtfExt.LineInfo> lines = ext.lineInfos().get(SECTION);
        String wanted = "int pid = task->parent->pid;";
        int lineNumber = Arrays.asList(PROGRAM.split("\n")).indexOf("    " + wanted) + 1;
        BtfExt.LineInfo info = lines.stream().filter(l -> l.line().contains(wanted)).findFirst()
                .orElseThrow(() -> new AssertionError("no line info for " + wanted + ": " + lines));
        assertTrue(info.fileName().endsWith("ext.c"), info.fileName());
        assertEquals(lineNumber, info.lineNumber());
        assertTrue(info.column() > 0);
        assertTrue(lines.stream().allMatch(l -> l.insnOff() % 8 == 0));
    }

    @Test
    void coreRelocationsCarryKindAndAccessString() {
        List<BtfExt.CoreRelo> relos = ext.coreRelos().get(SECTION);
        Set<String> seen = relos.stream()
                .map(r -> r.kind() + " " + btf.name(r.typeId()) + " " + r.accessString())
                .collect(Collectors.toSet());
        // Member indexes from the source: state 0, pid 1, parent 2; GREEN is enumerator 1.
        assertEquals(Set.of(
                "FIELD_BYTE_OFFSET task_struct 0:2",
                "FIELD_BYTE_OFFSET task_struct 0:1",
                "FIELD_EXISTS task_struct 0:0",
                "TYPE_SIZE task_struct 0",
                "ENUMVAL_VALUE color 1",
                "TYPE_MATCHES task_struct 0"), seen);
        assertTrue(relos.stream().allMatch(r -> r.insnOff() % 8 == 0));
    }

    @Test
    void coreReloKindsMatchTheKernel() {
        Btf kernel = Btf.kernel();
        BtfType.Enum kinds = kernel.find("bpf_core_relo_kind", BtfType.Enum.class).orElseThrow();
        assertEquals(CoreReloKind.values().length, kinds.values().size());
        for (BtfType.EnumValue v : kinds.values()) {
            assertTrue(v.name().startsWith("BPF_CORE_"), v.name());
            CoreReloKind k = CoreReloKind.valueOf(v.name().substring("BPF_CORE_".length()));
            assertEquals(v.value(), k.value(), v.name());
            assertEquals(k, CoreReloKind.of((int) v.value()));
        }
    }

    @Test
    void btfKindsMatchTheKernel() {
        // The kernel's BTF describes its own (anonymous) enum of BTF_KIND_* numbers.
        Btf kernel = Btf.kernel();
        List<BtfType.Enum> withKinds = kernel.types().stream()
                .filter(t -> t instanceof BtfType.Enum e
                        && e.values().stream().anyMatch(v -> v.name().equals("BTF_KIND_UNKN")))
                .map(t -> (BtfType.Enum) t).toList();
        assertEquals(1, withKinds.size(), "kernel BTF has one enum with the BTF_KIND_* names");
        int checked = 0;
        for (BtfType.EnumValue v : withKinds.get(0).values()) {
            if (!v.name().startsWith("BTF_KIND_") || v.name().equals("BTF_KIND_MAX")) {
                continue; // NR_BTF_KINDS, BTF_KIND_MAX: bounds, not kinds
            }
            String name = v.name().substring("BTF_KIND_".length());
            BtfKind kind = name.equals("UNKN") ? BtfKind.VOID : BtfKind.valueOf(name);
            assertEquals(v.value(), kind.value(), v.name());
            assertEquals(kind, BtfKind.of((int) v.value()));
            checked++;
        }
        assertEquals(BtfKind.values().length, checked);
    }

    @Test
    void malformedExtIsRejected() {
        byte[] bad = extBytes.clone();
        bad[0] = 0;
        assertTrue(assertThrows(FormatException.class, () -> BtfExt.parse(bad, btf)).getMessage().contains("bad magic"));

        byte[] shortRecord = extBytes.clone();
        int hdrLen = u32(extBytes, 4);
        int funcOff = hdrLen + u32(extBytes, 8);
        putU32(shortRecord, funcOff, 4);
        String m = assertThrows(FormatException.class, () -> BtfExt.parse(shortRecord, btf)).getMessage();
        assertTrue(m.contains("func_info record size 4"), m);

        byte[] badName = extBytes.clone();
        putU32(badName, funcOff + 4, 1 << 30);
        m = assertThrows(FormatException.class, () -> BtfExt.parse(badName, btf)).getMessage();
        assertTrue(m.contains("section name offset"), m);

        byte[] tooMany = extBytes.clone();
        putU32(tooMany, funcOff + 8, 1000);
        m = assertThrows(FormatException.class, () -> BtfExt.parse(tooMany, btf)).getMessage();
        assertTrue(m.contains("1000 records") && m.contains(SECTION), m);

        assertThrows(FormatException.class, () -> BtfExt.parse(Arrays.copyOf(extBytes, 10), btf));
    }

    private static int u32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static void putU32(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
        b[at + 3] = (byte) (v >> 24);
    }
}
