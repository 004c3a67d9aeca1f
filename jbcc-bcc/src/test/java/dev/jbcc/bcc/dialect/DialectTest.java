package dev.jbcc.bcc.dialect;

import dev.jbcc.BpfMap;
import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.TestRun;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.VerifierException;
import dev.jbcc.spec.MapType;
import dev.jbcc.spec.ProgramType;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.trace.TracePipe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each rewrite of bcc's dialect, compiled, loaded into this kernel and run where the kernel can run it. */
@ExtendWith(FdLeakCheck.class)
class DialectTest {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());
    private static final int XDP_PASS = 2;

    private static BccCompiler compiler;

    @BeforeAll
    static void compiler() {
        compiler = BccCompiler.create();
    }

    private static BccProgram compile(String name, String text) {
        return compiler.compile(name, text, List.of());
    }

    // ---- tables and methods ----

    @Test
    void tableMethodsBehaveAsInBcc() {
        BccProgram p = compile("methods.c", """
                BPF_HASH(counts, u32, u64);
                BPF_HISTOGRAM(hist);
                BPF_QUEUE(fifo, u32, 8);
                int xdp_methods(struct xdp_md *ctx) {
                    u32 k = 7, k2 = 9, k3 = 10, x = 42;
                    u64 one = 1, *v;
                    counts.increment(k);
                    counts.increment(k, 4);
                    counts.atomic_increment(8);
                    v = counts.lookup_or_try_init(&k, &one);
                    if (v) *v += 10;
                    counts.insert(&k2, &one);
                    u64 two = 2;
                    counts.insert(&k2, &two);
                    counts.update(&k3, &one);
                    counts.delete(&k3);
                    v = counts.lookup(&k3);
                    if (v) return 0;
                    hist.increment(3);
                    fifo.push(&x, 0);
                    return XDP_PASS;
                }
                """);
        assertEquals(MapType.ARRAY, p.table("hist").mapType(), "a histogram keyed by int is an array");
        assertEquals(64, p.table("hist").maxEntries());
        try (Collection c = Collection.load(p.spec())) {
            Program prog = c.program("xdp_methods");
            assertEquals(XDP_PASS, prog.testRun(TestRun.packet(Packets.tcpSyn())).returnValue());
            BpfMap counts = c.map("counts");
            assertEquals(15, u64(counts, 7), "increment() creates the key at 1, increment(k, 4) adds 4, the lookup adds 10");
            assertEquals(1, u64(counts, 8), "atomic_increment creates a missing key");
            assertEquals(1, u64(counts, 9), "insert() does not replace");
            assertFalse(has(counts, 10), "delete() removed the updated key");
            assertEquals(1, u64(c.map("hist"), 3));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(U32);
                assertTrue(c.map("fifo").pop(out));
                assertEquals(42, out.get(U32, 0));
            }
        }
    }

    @Test
    void tableMacrosGetBccsDefaultsAndLoad() {
        BccProgram p = compile("tables.c", """
                struct key_t { u32 pid; u32 cpu; };
                struct event_t { u32 pid; u64 ts; };
                struct lpm_key { u32 prefixlen; u32 addr; };
                BPF_ARRAY(arr);
                BPF_HISTOGRAM(by_key, struct key_t, 128);
                BPF_PERCPU_ARRAY(pcpu, u32, 4);
                BPF_PERCPU_HASH(phash);
                BPF_LPM_TRIE(trie, struct lpm_key, u32, 16);
                BPF_TABLE("lru_hash", u32, u64, lru, 128);
                BPF_F_TABLE("hash", u32, u64, nopre, 64, BPF_F_NO_PREALLOC);
                BPF_RINGBUF_OUTPUT(rb, 8);
                BPF_STACK_TRACE(stacks, 1024);
                BPF_PROG_ARRAY(jumps, 4);
                BPF_STACK(lifo, u64, 16);
                int xdp_tables(struct xdp_md *ctx) {
                    struct event_t e = {.pid = 1, .ts = 2};
                    rb.ringbuf_output(&e, sizeof(e), 0);
                    return XDP_PASS;
                }
                """);
        assertEquals(MapType.ARRAY, p.table("arr").mapType());
        assertEquals("int", p.table("arr").keyType());
        assertEquals("u64", p.table("arr").leafType());
        assertEquals(10240, p.table("arr").maxEntries());
        assertEquals(MapType.HASH, p.table("by_key").mapType(), "a histogram with a struct key is a hash");
        assertEquals(MapType.PERCPU_ARRAY, p.table("pcpu").mapType());
        assertEquals(MapType.PERCPU_HASH, p.table("phash").mapType());
        assertEquals(MapType.LPM_TRIE, p.table("trie").mapType());
        assertEquals(1, p.spec().map("trie").flags(), "LPM tries are BPF_F_NO_PREALLOC");
        assertEquals(MapType.LRU_HASH, p.table("lru").mapType());
        assertEquals("lru_hash", p.table("lru").kind());
        assertEquals(1, p.spec().map("nopre").flags());
        assertEquals(8 * BccCompiler.pageSize(), p.table("rb").maxEntries(), "ring buffers are sized in pages");
        assertEquals(MapType.STACK_TRACE, p.table("stacks").mapType());
        assertEquals(MapType.PROG_ARRAY, p.table("jumps").mapType());
        assertEquals(MapType.STACK, p.table("lifo").mapType());

        BccTable.Submission s = p.table("rb").submissions().getFirst();
        assertEquals("struct event_t", s.typeName());
        Btf btf = p.spec().btf();
        assertEquals("event_t", btf.type(btf.resolve(s.typeId()), BtfType.Struct.class).name());

        var key = assertInstanceOf(BtfType.Struct.class, btf.type(btf.resolve(p.table("by_key").keyTypeId())));
        assertEquals("key_t", key.name());

        try (Collection c = Collection.load(p.spec())) {
            assertEquals(XDP_PASS, c.program("xdp_tables").testRun(TestRun.packet(Packets.tcpSyn())).returnValue());
            assertEquals(MapType.LPM_TRIE, c.map("trie").type());
        }
    }

    // ---- kprobe arguments ----

    @Test
    void kprobeArgumentsAreReadFromTheRegistersAndDereferencedWithProbeReads() {
        BccProgram p = compile("args.c", """
                #include <net/sock.h>
                BPF_HASH(families, u32, u16);
                int kprobe__tcp_v4_connect(struct pt_regs *ctx, struct sock *sk,
                                           struct sockaddr *uaddr, int addr_len) {
                    u32 pid = bpf_get_current_pid_tgid() >> 32;
                    u16 family = sk->__sk_common.skc_family;
                    if (addr_len > 0) families.update(&pid, &family);
                    return 0;
                }
                int syscall__execve(struct pt_regs *ctx, const char *filename) {
                    char buf[32];
                    bpf_probe_read_user_str(buf, sizeof(buf), filename);
                    return 0;
                }
                int kretprobe__sys_clone(struct pt_regs *ctx) {
                    return 0;
                }
                """);
        String text = p.rewritten();
        String[] lines = text.split("\n", -1);
        assertTrue(lines[3].contains("struct sock *sk = (__typeof__(sk))PT_REGS_PARM1(ctx);"), lines[3]);
        assertTrue(lines[3].contains("struct sockaddr *uaddr = (__typeof__(uaddr))PT_REGS_PARM2(ctx);"), lines[3]);
        assertTrue(lines[3].contains("int addr_len = (__typeof__(addr_len))PT_REGS_PARM3(ctx);"), lines[3]);
        assertTrue(lines[2].endsWith("int kprobe__tcp_v4_connect(struct pt_regs *ctx"), "the extra parameters are gone: " + lines[2]);
        assertTrue(lines[5].contains("bpf_probe_read_kernel("), "sk is a kernel pointer: " + lines[5]);
        assertTrue(lines[9].contains("struct pt_regs *__jbcc_regs = (struct pt_regs *)PT_REGS_PARM1(ctx);")
                && lines[9].contains("PT_REGS_PARM1_CORE_SYSCALL(__jbcc_regs)"), "syscall__ reads the wrapped pt_regs: " + lines[9]);
        assertEquals(p.sourceMap().userLines() + 4, text.lines().count(), "only the default license's 4 lines were appended");

        var connect = assertInstanceOf(AutoAttach.Kprobe.class, p.function("kprobe__tcp_v4_connect").autoAttach());
        assertEquals("tcp_v4_connect", connect.target());
        assertFalse(connect.syscall());
        var clone = assertInstanceOf(AutoAttach.Kretprobe.class, p.function("kretprobe__sys_clone").autoAttach());
        assertTrue(clone.syscall());
        assertEquals(null, p.function("syscall__execve").autoAttach(), "syscall__ functions are attached by the script");
        assertEquals("kprobe/tcp_v4_connect", p.function("kprobe__tcp_v4_connect").section());

        try (Collection c = Collection.load(p.spec())) {
            for (BccFunction f : p.functions()) assertEquals(ProgramType.KPROBE, c.program(f.name()).type());
        }
    }

    // ---- implicit kernel reads ----

    @Test
    void taskPointersAndPointersStoredInMapsAreReadWithProbeReads() {
        BccProgram p = compile("reads.c", """
                BPF_ARRAY(out, u64, 4);
                BPF_HASH(tasks, u32, struct task_struct *);
                RAW_TRACEPOINT_PROBE(sys_enter) {
                    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
                    u32 zero = 0, one = 1, two = 2, three = 3;
                    u64 tgid = t->tgid;
                    u64 parent = t->real_parent->tgid;
                    out.update(&zero, &tgid);
                    out.update(&one, &parent);
                    tasks.update(&zero, &t);
                    struct task_struct **stored = tasks.lookup(&zero);
                    if (!stored) return 0;
                    struct task_struct *again = *stored;
                    u64 again_tgid = again->tgid;
                    out.update(&two, &again_tgid);
                    char comm[16];
                    bpf_probe_read_kernel_str(comm, sizeof(comm), t->comm);
                    u64 size = sizeof(t->pid);
                    out.update(&three, &size);
                    return 0;
                }
                """);
        String[] lines = p.rewritten().split("\n", -1);
        assertEquals(2, count(lines[6], "bpf_probe_read_kernel("), "t->real_parent, then ->tgid: " + lines[6]);
        assertEquals(1, count(lines[13], "bpf_probe_read_kernel("), "a task pointer read back from a map: " + lines[13]);
        assertFalse(lines[16].contains("__jbcc_v"), "an array member is an address, not a read: " + lines[16]);
        assertFalse(lines[17].contains("__jbcc_v"), "sizeof reads nothing: " + lines[17]);

        try (Collection c = Collection.load(p.spec())) {
            Program prog = c.program("raw_tracepoint__sys_enter");
            assertEquals(ProgramType.RAW_TRACEPOINT, prog.type());
            prog.testRun(TestRun.context(new byte[16]));
            BpfMap out = c.map("out");
            long pid = ProcessHandle.current().pid();
            assertEquals(pid, u64(out, 0), "current's tgid is this JVM");
            assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), u64(out, 1), "real_parent->tgid");
            assertEquals(pid, u64(out, 2), "the same task, through the map");
            assertEquals(4, u64(out, 3));
        }
    }

    @Test
    void staticHelpersReadTheirOwnKernelPointersSafely() {
        BccProgram p = compile("helper.c", """
                BPF_ARRAY(out, u64, 1);
                static u32 parent_tgid(void) {
                    struct task_struct *t = (struct task_struct *)bpf_get_current_task();
                    return t->real_parent->tgid;
                }
                RAW_TRACEPOINT_PROBE(sys_enter) {
                    u32 zero = 0;
                    u64 parent = parent_tgid();
                    out.update(&zero, &parent);
                    return 0;
                }
                """);
        assertEquals(2, count(p.rewritten().split("\n", -1)[3], "bpf_probe_read_kernel("), p.rewritten());
        try (Collection c = Collection.load(p.spec())) {
            c.program("raw_tracepoint__sys_enter").testRun(TestRun.context(new byte[16]));
            assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), u64(c.map("out"), 0), "real_parent->tgid");
        }
    }

    // ---- tracepoints ----

    @Test
    void tracepointArgsStructHasTheFormatFilesOffsetsIncludingDataLocFields() {
        BccProgram p = compile("exec.c", """
                BPF_PERF_OUTPUT(events);
                struct event_t { u32 pid; char filename[64]; };
                TRACEPOINT_PROBE(sched, sched_process_exec) {
                    struct event_t e = {};
                    e.pid = args->pid;
                    TP_DATA_LOC_READ_CONST(e.filename, filename, sizeof(e.filename));
                    events.perf_submit(args, &e, sizeof(e));
                    return 0;
                }
                """);
        TracepointFormat format = TracepointFormat.read(TracepointFormat.TRACEFS_ROOTS, "sched", "sched_process_exec");
        Btf btf = p.spec().btf();
        BtfType.Struct args = btf.find("tracepoint__sched__sched_process_exec", BtfType.Struct.class).orElseThrow();
        TracepointFormat.Field dataLoc = format.fields().stream().filter(f -> f.declaration().startsWith("__data_loc"))
                .findFirst().orElseThrow();
        assertEquals("data_loc_filename", dataLoc.name());
        for (TracepointFormat.Field field : format.fields()) {
            BtfType.Member m = args.members().stream().filter(x -> x.name().equals(field.name())).findFirst().orElseThrow();
            assertEquals(field.offset() * 8, m.bitOffset(), field.name());
            assertEquals(field.size(), btf.sizeOf(m.type()), field.name());
        }
        try (Collection c = Collection.load(p.spec())) {
            assertEquals(ProgramType.TRACEPOINT, c.program("tracepoint__sched__sched_process_exec").type());
        }
    }

    // ---- BTF-typed probes (loading them needs fentry/LSM, which this host refuses: the VM suite's job) ----

    @Test
    void kfuncLsmAndRawTracepointProbesGetTheirSectionsAndAutoAttach() {
        BccProgram p = compile("probes.c", """
                KFUNC_PROBE(tcp_v4_connect, struct sock *sk) {
                    return sk->__sk_common.skc_family == AF_INET ? 0 : 1;
                }
                KRETFUNC_PROBE(tcp_v4_connect, struct sock *sk, struct sockaddr *uaddr, int addr_len, int ret) {
                    return 0;
                }
                LSM_PROBE(bpf, int cmd, union bpf_attr *attr, unsigned int size) {
                    return 0;
                }
                RAW_TRACEPOINT_PROBE(sched_switch) {
                    return 0;
                }
                """);
        assertEquals("fentry/tcp_v4_connect", p.function("kfunc__tcp_v4_connect").section());
        assertEquals(ProgramType.TRACING, p.function("kfunc__tcp_v4_connect").type());
        assertInstanceOf(AutoAttach.Kfunc.class, p.function("kfunc__tcp_v4_connect").autoAttach());
        assertEquals("fexit/tcp_v4_connect", p.function("kretfunc__tcp_v4_connect").section());
        assertInstanceOf(AutoAttach.Kretfunc.class, p.function("kretfunc__tcp_v4_connect").autoAttach());
        assertEquals(ProgramType.LSM, p.function("lsm__bpf").type());
        assertEquals("bpf", assertInstanceOf(AutoAttach.Lsm.class, p.function("lsm__bpf").autoAttach()).hook());
        assertEquals("sched_switch",
                assertInstanceOf(AutoAttach.RawTracepoint.class, p.function("raw_tracepoint__sched_switch").autoAttach()).event());
        assertFalse(p.rewritten().contains("__jbcc_v"), "fentry arguments are BTF-typed: read directly, not probe-read");
        assertEquals(4, p.functions().size(), "BPF_PROG's inner static functions are not programs");
        // Loading the whole collection would load the fentry/LSM programs too; the raw tracepoint loads alone.
        try (Program raw = Program.load(p.spec().program("raw_tracepoint__sched_switch"))) {
            assertEquals(ProgramType.RAW_TRACEPOINT, raw.type());
        }
    }

    // ---- bpf_trace_printk ----

    @Test
    void tracePrintkCopiesTheFormatAndPrintsItsArguments() throws IOException {
        String marker = "jbcc" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        BccProgram p = compile("printk.c", """
                RAW_TRACEPOINT_PROBE(sys_exit) {
                    bpf_trace_printk("%s %d %d\\n", 7, 8);
                    return 0;
                }
                """.replace("%s", marker));
        assertTrue(p.rewritten().contains("__JBCC_TRACE_PRINTK(\"" + marker), p.rewritten());
        // A tracing instance of this test's own, with the printk event enabled in it: what the
        // global buffer holds depends on what ran before in this kernel.
        try (TracePipe pipe = TracePipe.openInstance("jbcc-dialect-" + ProcessHandle.current().pid());
             Collection c = Collection.load(p.spec())) {
            c.program("raw_tracepoint__sys_exit").testRun(TestRun.context(new byte[16]));
            var seen = new StringBuilder();
            for (String line; (line = pipe.readLine(Duration.ofSeconds(10))) != null; ) {
                if (line.contains(marker + " 7 8")) return;
                seen.append(line).append('\n');
            }
            throw new AssertionError("the printed line did not reach trace_pipe; it had:\n" + seen);
        }
    }

    // ---- license ----

    @Test
    void aLicenseTheProgramGivesIsKept() {
        BccProgram own = compile("lic.c", """
                int xdp_l(struct xdp_md *ctx) { return XDP_PASS; }
                char _license[] SEC("license") = "Dual BSD/GPL";
                """);
        assertEquals("Dual BSD/GPL", own.spec().program("xdp_l").license());
        BccProgram defined = compile("lic2.c", """
                #define BPF_LICENSE Dual MIT/GPL
                int xdp_l(struct xdp_md *ctx) { return XDP_PASS; }
                """);
        assertEquals("Dual MIT/GPL", defined.spec().program("xdp_l").license());
    }

    // ---- errors name the user's line ----

    @Test
    void aSyntaxErrorNamesTheUsersLine() {
        var e = assertThrows(CompileException.class, () -> compile("syntax.c", """
                BPF_HASH(counts);
                int xdp_s(struct xdp_md *ctx) {
                    u32 k = 1
                    return XDP_PASS;
                }
                """));
        assertTrue(e.getMessage().startsWith("syntax.c:3:"), e.getMessage());
    }

    @Test
    void anUnknownTableMethodIsOneClearError() {
        var e = assertThrows(CompileException.class, () -> compile("method.c", """
                BPF_HASH(counts, u32, u64);

                int xdp_m(struct xdp_md *ctx) {
                    u32 k = 1;
                    counts.frobnicate(&k);
                    return XDP_PASS;
                }
                """));
        assertTrue(e.getMessage().startsWith("method.c:5:12: error: table 'counts' has no method 'frobnicate'; bcc tables have: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("lookup_or_try_init"), e.getMessage());
        assertTrue(e.getMessage().endsWith("\n    5 |     counts.frobnicate(&k);\n      |            ^"),
                "the line is quoted, the caret under the method: " + e.getMessage());
    }

    @Test
    void aWriteThroughAKernelPointerIsAnError() {
        var e = assertThrows(CompileException.class, () -> compile("write.c", """
                int kprobe__do_exit(struct pt_regs *ctx) {
                    struct task_struct *t = (struct task_struct *)bpf_get_current_task();

                    t->flags = 0;
                    return 0;
                }
                """));
        assertTrue(e.getMessage().startsWith("write.c:4: error: cannot write to kernel memory: 't->flags'"), e.getMessage());
    }

    @Test
    void tooManyPrintkArgumentsIsAnError() {
        var e = assertThrows(CompileException.class, () -> compile("printk4.c", """
                int kprobe__do_exit(struct pt_regs *ctx) {
                    bpf_trace_printk("%d %d %d %d\\n", 1, 2, 3, 4);
                    return 0;
                }
                """));
        assertTrue(e.getMessage().startsWith("printk4.c:2: error: bpf_trace_printk takes a format and at most 3 arguments"),
                e.getMessage());
    }

    @Test
    void aMissingTracepointIsAnError() {
        var e = assertThrows(CompileException.class, () -> compile("tp.c", """

                TRACEPOINT_PROBE(no_such_category, no_such_event) { return 0; }
                """));
        assertTrue(e.getMessage().startsWith("tp.c:2: error: tracepoint no_such_category:no_such_event does not exist"),
                e.getMessage());
    }

    @Test
    void perfSubmitOnAHashIsAnError() {
        var e = assertThrows(CompileException.class, () -> compile("perf.c", """
                BPF_HASH(counts);
                int kprobe__do_exit(struct pt_regs *ctx) {
                    u64 v = 1;
                    counts.perf_submit(ctx, &v, sizeof(v));
                    return 0;
                }
                """));
        assertTrue(e.getMessage().startsWith("perf.c:4:12: error: 'perf_submit' needs a BPF_PERF_OUTPUT table; 'counts' is a BPF_HASH"),
                e.getMessage());
    }

    @Test
    void aVerifierRejectionPointsAtTheUsersLine() {
        BccProgram p = compile("verifier.c", """
                BPF_ARRAY(counts, u64, 4);
                int xdp_v(struct xdp_md *ctx) {
                    void *data = (void *)(long)ctx->data;
                    return *(u32 *)data;
                }
                """);
        try {
            var e = assertThrows(VerifierException.class, () -> Collection.load(p.spec()).close());
            assertTrue(e.getMessage().contains("verifier.c:4:"), "the user's line number: " + e.getMessage());
            assertTrue(e.getMessage().contains("return *(u32 *)data;"), "the C line the verifier stopped at: " + e.getMessage());
        } finally {
            assertEquals(4, p.sourceMap().userLine(4));
        }
    }

    // ---- helpers ----

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }

    private static long u64(BpfMap map, int key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(U32);
            k.set(U32, 0, key);
            MemorySegment v = arena.allocate(U64);
            assertTrue(map.lookup(k, v), "key " + key + " is in " + map.name());
            return v.get(U64, 0);
        }
    }

    private static boolean has(BpfMap map, int key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(U32);
            k.set(U32, 0, key);
            return map.lookup(k, arena.allocate(U64));
        }
    }
}
