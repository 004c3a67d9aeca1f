package dev.jbcc.bcc.dialect;

import dev.jbcc.BpfMap;
import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.TestRun;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.spec.LineInfo;
import dev.jbcc.spec.ProgramSpec;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's five programs, unchanged: rewritten, compiled, loaded into this kernel, run where the kernel can. */
@ExtendWith(FdLeakCheck.class)
class SeedProgramsTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    private static final int XDP_DROP = 1, XDP_PASS = 2, TC_ACT_OK = 0, TC_ACT_SHOT = 2;

    private static BccCompiler compiler;

    @BeforeAll
    static void compiler() {
        compiler = BccCompiler.create();
    }

    private static BccProgram compile(String name) {
        return compiler.compile(SeedPrograms.file(name), List.of());
    }

    @Test
    void traceCloneIsATracepointProgramWithTheArgsStructOfTheFormatFile() {
        BccProgram p = compile("trace_clone.c");
        BccFunction f = p.function("tracepoint__syscalls__sys_enter_clone");
        assertEquals(ProgramType.TRACEPOINT, f.type());
        var attach = assertInstanceOf(AutoAttach.Tracepoint.class, f.autoAttach());
        assertEquals("syscalls", attach.category());
        assertEquals("sys_enter_clone", attach.event());
        assertEquals(1, f.line());

        // The generated args struct, as compiled into BTF, puts each field at tracefs's offset.
        TracepointFormat format = TracepointFormat.read(TracepointFormat.TRACEFS_ROOTS, "syscalls", "sys_enter_clone");
        Btf btf = p.spec().btf();
        BtfType.Struct args = btf.find("tracepoint__syscalls__sys_enter_clone", BtfType.Struct.class).orElseThrow();
        Map<String, Integer> offsets = args.members().stream()
                .collect(Collectors.toMap(BtfType.Member::name, m -> m.bitOffset() / 8));
        assertFalse(format.fields().isEmpty());
        for (TracepointFormat.Field field : format.fields()) {
            assertEquals(field.offset(), offsets.get(field.name()), field.name());
        }
        assertTrue(offsets.containsKey("parent_tidptr"));

        try (Collection c = Collection.load(p.spec())) {
            assertEquals(ProgramType.TRACEPOINT, c.program(f.name()).type());
        }
    }

    @Test
    void helloFieldsIsAKprobeProgramThatLoads() {
        BccProgram p = compile("hello_fields.c");
        BccFunction hello = p.function("hello");
        assertEquals(ProgramType.KPROBE, hello.type());
        assertNull(hello.autoAttach(), "hello is attached by the script, not by its name");
        assertEquals("GPL", p.spec().program("hello").license(), "bcc's default license");
        try (Collection c = Collection.load(p.spec())) {
            assertEquals(ProgramType.KPROBE, c.program("hello").type());
        }
    }

    @Test
    void xdpDropIcmpDropsPingAndCountsItAndPassesTcp() {
        BccProgram p = compile("xdp_drop_icmp.c");
        assertEquals(ProgramType.XDP, p.function("xdp_drop_icmp").type());
        BccTable dropcnt = p.table("dropcnt");
        assertEquals("hash", dropcnt.kind());
        assertEquals("u32", dropcnt.keyType());
        assertEquals(10240, dropcnt.maxEntries(), "BPF_HASH's default size");
        try (Collection c = Collection.load(p.spec())) {
            Program prog = c.program("xdp_drop_icmp");
            BpfMap counts = c.map("dropcnt");
            assertEquals(XDP_DROP, prog.testRun(TestRun.packet(Packets.icmpEcho())).returnValue());
            assertEquals(1, count(counts, Packets.IPPROTO_ICMP));
            assertEquals(XDP_DROP, prog.testRun(TestRun.packet(Packets.icmpEcho())).returnValue());
            assertEquals(2, count(counts, Packets.IPPROTO_ICMP));
            assertEquals(XDP_PASS, prog.testRun(TestRun.packet(Packets.tcpSyn())).returnValue());
            assertEquals(2, count(counts, Packets.IPPROTO_ICMP), "TCP is not counted");
        }
    }

    @Test
    void tcDropIcmpShootsPingAndCountsItAndPassesTcp() {
        BccProgram p = compile("tc_drop_icmp.c");
        assertEquals(ProgramType.SCHED_CLS, p.function("tc_drop_icmp").type());
        try (Collection c = Collection.load(p.spec())) {
            Program prog = c.program("tc_drop_icmp");
            BpfMap counts = c.map("dropcnt");
            assertEquals(TC_ACT_SHOT, prog.testRun(TestRun.packet(Packets.icmpEcho())).returnValue());
            assertEquals(1, count(counts, Packets.IPPROTO_ICMP));
            assertEquals(TC_ACT_SHOT, prog.testRun(TestRun.packet(Packets.icmpEcho())).returnValue());
            assertEquals(2, count(counts, Packets.IPPROTO_ICMP));
            assertEquals(TC_ACT_OK, prog.testRun(TestRun.packet(Packets.tcpSyn())).returnValue());
            assertEquals(2, count(counts, Packets.IPPROTO_ICMP));
        }
    }

    @Test
    void tcpv4connectLoadsWithItsMapStoredPointerReadAndRecordsTheSubmittedStruct() {
        BccProgram p = compile("tcpv4connect.c");
        assertEquals(ProgramType.KPROBE, p.function("tcp_connect").type());
        assertEquals(ProgramType.KPROBE, p.function("tcp_connect_ret").type());

        // sockp came out of the map: its field reads are probe reads, so the verifier accepts them.
        assertTrue(p.rewritten().contains("bpf_probe_read_kernel(&__jbcc_v"), p.rewritten());
        // The extra kprobe argument is read from the first argument register.
        assertTrue(p.rewritten().contains("struct sock *sock = (__typeof__(sock))PT_REGS_PARM1(ctx);"), p.rewritten());

        BccTable events = p.table("events");
        assertEquals("perf_output", events.kind());
        assertEquals(0, events.maxEntries(), "perf output: one entry per CPU, sized by the loader");
        assertEquals(1, events.submissions().size());
        BccTable.Submission s = events.submissions().getFirst();
        assertEquals("struct data_t", s.typeName());
        assertEquals(SeedPrograms.lineOf("tcpv4connect.c", "events.perf_submit"), s.line());
        Btf btf = p.spec().btf();
        var data = assertInstanceOf(BtfType.Struct.class, btf.type(btf.resolve(s.typeId())));
        assertEquals("data_t", data.name());
        // C's layout of { u32 pid; char comm[16]; u32 saddr; u32 daddr; u16 dport; }
        assertEquals(List.of("pid", "comm", "saddr", "daddr", "dport"), data.members().stream().map(BtfType.Member::name).toList());
        assertEquals(List.of(0, 4 * 8, 20 * 8, 24 * 8, 28 * 8), data.members().stream().map(BtfType.Member::bitOffset).toList());
        assertEquals(32, data.size());

        // Every line_info points at a line the user wrote, with the user's line number.
        ProgramSpec ret = p.spec().program("tcp_connect_ret");
        String[] userLines = p.source().split("\n", -1);
        for (LineInfo li : ret.lineInfos()) {
            assertTrue(li.line() >= 1 && li.line() <= userLines.length, "line_info line " + li.line());
        }

        BccTable socklist = p.table("socklist");
        assertEquals("struct sock *", socklist.leafType());
        assertInstanceOf(BtfType.Ptr.class, btf.type(socklist.leafTypeId()));

        try (Collection c = Collection.load(p.spec())) {
            assertEquals(ProgramType.KPROBE, c.program("tcp_connect").type());
            assertEquals(ProgramType.KPROBE, c.program("tcp_connect_ret").type());
            assertNotEquals(0, c.map("events").maxEntries(), "the perf event array got one slot per CPU");
        }
    }

    @Test
    void compileTimeColdAndWarm() {
        for (String name : List.of("tcpv4connect.c", "xdp_drop_icmp.c")) {
            // "Cold" here means no cached object (the prelude's PCH and vmlinux.h exist by now).
            BccCompiler cold = BccCompiler.create(dev.jbcc.compile.ClangCompiler.create(
                    dev.jbcc.compile.ClangCompiler.Options.defaults().withUseCache(false)));
            BccProgram first = cold.compile(SeedPrograms.file(name), List.of());
            BccProgram warm = compiler.compile(SeedPrograms.file(name), List.of());
            BccProgram warm2 = compiler.compile(SeedPrograms.file(name), List.of());
            assertTrue(warm2.object().cached());
            System.out.printf("bcc compile %-16s uncached %s (rewrite %s, of which AST dump %s; clang %s); cached %s%n",
                    name, ms(first.timings().total()), ms(first.timings().rewrite()), ms(first.timings().astDump()),
                    ms(first.timings().compile()), ms(warm2.timings().total()));
        }
    }

    private static String ms(Duration d) {
        return d.toMillis() + " ms";
    }

    private static int count(BpfMap map, int key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(U32);
            k.set(U32, 0, key);
            MemorySegment v = arena.allocate(U32);
            assertTrue(map.lookup(k, v), "key " + key + " is in " + map.name());
            return v.get(U32, 0);
        }
    }
}
