package dev.jbcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.errors.CoreRelocationException;
import dev.jbcc.errors.VerifierException;
import dev.jbcc.obj.testing.KernelFields;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.CoreRelocation;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.spec.ProgramSpec;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.HostKernelOnly;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** CO-RE through the whole loader: C programs compiled here, relocated against the running kernel, run. */
@ExtendWith(FdLeakCheck.class)
class CoreRelocationsTest {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    /** {@code PACKET_HOST} and {@code PACKET_OTHERHOST} from uapi linux/if_packet.h: skb->pkt_type values. */
    private static final int PACKET_HOST = 0, PACKET_OTHERHOST = 3;

    static CollectionSpec compile(String resource) {
        try (InputStream in = CoreRelocationsTest.class.getResourceAsStream("/bpf/" + resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] elf = ClangCompiler.create().compile(Source.of(Path.of(resource).getFileName().toString(), text),
                    List.of()).elf();
            return ObjectReader.read(elf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The calling thread's id: the first field of /proc/thread-self/stat. */
    private static int currentTid() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        return Integer.parseInt(stat.substring(0, stat.indexOf(' ')));
    }

    @Test
    void readsPidAndTgidOfTheCallingThreadThroughALocalTaskStructWithAnotherLayout() throws IOException {
        try (Collection c = Collection.load(compile("loader/core.c"))) {
            int tid = currentTid();
            c.program("read_task").testRun(TestRun.context(new byte[8]));
            assertEquals(tid, c.variable("pid").get(I32, 0), "task->pid is the calling thread's id");
            assertEquals(ProcessHandle.current().pid(), c.variable("tgid").get(I32, 0), "task->tgid is the process id");
            assertEquals(1, c.variable("pid_exists").get(I32, 0));
            assertEquals(0, c.variable("missing_exists").get(I32, 0), "the kernel's task_struct has no jbcc_no_such_field");
        }
    }

    /**
     * A struct that vmlinux lacks is looked for in the loaded modules' BTF, as libbpf does: the
     * host builds veth in, the VM's Debian kernel has it as a module (the harness loads it).
     */
    @Test
    void typesVmlinuxLacksAreFoundInModuleBtf() {
        Btf where = Btf.kernel();
        if (where.lookup("veth_priv", BtfType.Struct.class).length == 0) {
            where = Btf.kernelModules().stream().filter(m -> m.lookup("veth_priv", BtfType.Struct.class).length > 0)
                    .findFirst().orElseThrow(() -> new AssertionError("no BTF has struct veth_priv: load veth (modprobe veth)"));
            assertSame(Btf.kernel(), where.base(), "a module's BTF is split over vmlinux");
        }
        long expected = dev.jbcc.obj.testing.KernelFields.field(where, "veth_priv", "peer").byteOffset();
        try (Collection c = Collection.load(compile("core/module_type.c"))) {
            c.program("module_type").testRun(new TestRun(null, 0, new byte[8], 0, 0, 0, 0)); // syscall programs take no repeat
            assertEquals(1, c.variable("veth_priv_exists").get(U64, 0));
            assertEquals(expected, c.variable("peer_offset").get(U64, 0));
        }
    }

    @Test
    void aReachablePoisonedReadFailsVerificationNamingTheFieldAndStruct() {
        CollectionSpec spec = compile("core/poison_reachable.c");
        var e = assertThrows(VerifierException.class, () -> Collection.load(spec).close());
        assertTrue(e.log().contains("invalid func unknown#195896080"), e.log());
        assertTrue(e.getMessage().contains("reads field task_struct___local.jbcc_no_such_field, which kernel struct "
                + "task_struct does not have (CO-RE relocation could not be resolved); guard it with bpf_core_field_exists()"),
                e.getMessage());
    }

    @Test
    @HostKernelOnly("kfunc bpf_cast_to_kern_ctx: Linux 6.2")
    void everyKindIsPatchedIntoTheRunningProgram() throws IOException {
        Btf kernel = Btf.kernel();
        CollectionSpec spec = compile("core/kinds.c");
        try (Collection c = Collection.load(spec)) {
            c.program("kinds").testRun(TestRun.context(new byte[8]));
            var pid = KernelFields.field(kernel, "task_struct", "pid");
            var comm = KernelFields.field(kernel, "task_struct", "comm");
            var inExecve = KernelFields.field(kernel, "task_struct", "in_execve");
            long[] shifts = KernelFields.bitfieldShifts(kernel, inExecve);
            int task = KernelFields.struct(kernel, "task_struct");

            assertEquals(pid.byteOffset(), c.variable("off_pid").get(U64, 0));
            assertEquals(KernelFields.field(kernel, "task_struct", "tgid").byteOffset(), c.variable("off_tgid").get(U64, 0));
            assertEquals(comm.byteOffset() + 3, c.variable("off_comm3").get(U64, 0));
            assertEquals(KernelFields.field(kernel, "task_struct", "se.vruntime").byteOffset(),
                    c.variable("off_vruntime").get(U64, 0));
            assertEquals(kernel.sizeOf(comm.typeId()), c.variable("size_comm").get(U64, 0));
            assertEquals(kernel.sizeOf(pid.typeId()), c.variable("size_pid").get(U64, 0));
            assertEquals(1, c.variable("exists_pid").get(U64, 0));
            assertEquals(0, c.variable("exists_missing").get(U64, 0));
            assertEquals(1, c.variable("signed_pid").get(U64, 0), "pid_t is signed");
            assertEquals(0, c.variable("signed_flags").get(U64, 0), "task_struct.flags is unsigned");
            assertEquals(shifts[0], c.variable("lshift_in_execve").get(U64, 0));
            assertEquals(shifts[1], c.variable("rshift_in_execve").get(U64, 0));
            assertEquals(spec.btf().lookup("task_struct___v1", BtfType.Struct.class)[0], c.variable("id_local").get(U64, 0));
            assertEquals(task, c.variable("id_kernel").get(U64, 0));
            assertEquals(1, c.variable("type_exists").get(U64, 0));
            assertEquals(0, c.variable("type_missing").get(U64, 0));
            assertEquals(kernel.sizeOf(task), c.variable("type_size").get(U64, 0));
            assertEquals(0, c.variable("type_size_missing").get(U64, 0));
            assertEquals(1, c.variable("matches_good").get(U64, 0));
            assertEquals(0, c.variable("matches_bad").get(U64, 0));
            assertEquals(1, c.variable("enum_exists").get(U64, 0));
            assertEquals(0, c.variable("enum_missing").get(U64, 0));
            assertEquals(KernelFields.enumValue(kernel, "pid_type", "PIDTYPE_SID"), c.variable("enum_sid").get(U64, 0));
            assertEquals(KernelFields.enumValue(kernel, "pid_type", "PIDTYPE_PGID"), c.variable("enum_pgid").get(U64, 0),
                    "the poisoned read of a missing enumerator is not reached");
            assertEquals(0, c.variable("in_execve").get(U64, 0), "the test thread is not in execve()");
            String threadName = Files.readString(Path.of("/proc/thread-self/comm"));
            assertEquals(threadName.charAt(0), (char) c.variable("comm0").get(U64, 0), "task->comm[0] of the calling thread");
        }
    }

    /** A 64-byte Ethernet frame to {@code destination}. */
    private static byte[] frameTo(int... destination) {
        byte[] frame = new byte[64];
        for (int i = 0; i < 6; i++) frame[i] = (byte) destination[i];
        frame[12] = 0x08; // IPv4
        return frame;
    }

    @Test
    @HostKernelOnly("kfunc bpf_cast_to_kern_ctx: Linux 6.2")
    void aKernelBitfieldInsideAnonymousMembersAndAWidenedLoad() {
        try (Collection c = Collection.load(compile("core/kinds.c"))) {
            Program p = c.program("skb_bits");
            // The test run's device is loopback, whose address is all zeros: eth_type_trans() sets
            // pkt_type from the destination address.
            p.testRun(TestRun.packet(frameTo(2, 0, 0, 0, 0, 1)));
            assertEquals(PACKET_OTHERHOST, c.variable("pkt_type").get(U64, 0), "3-bit skb->pkt_type read through CO-RE shifts");
            assertEquals(64, c.variable("skb_len").get(U64, 0), "skb->len: a u16 load widened to the kernel's u32");
            p.testRun(TestRun.packet(frameTo(0, 0, 0, 0, 0, 0)));
            assertEquals(PACKET_HOST, c.variable("pkt_type").get(U64, 0));
        }
    }

    @Test
    void aRelocationTheInstructionDoesNotHoldFailsTheLoadNamingProgramAndInstruction() {
        CollectionSpec spec = compile("loader/core.c");
        ProgramSpec p = spec.programs().get("read_task");
        CoreRelocation first = p.coreRelocations().getFirst();
        int index = p.instructions().indexOfSlot(first.instructionOffset());
        var insn = p.instructions().get(index);
        var broken = new ProgramSpec(p.name(), p.sectionName(), p.type(), p.attachType(), p.attachTarget(), p.flags(),
                p.license(), p.kernelVersion(), p.instructions().withInstruction(index, insn.withImm(insn.imm() + 1000)),
                p.funcInfos(), p.lineInfos(), p.coreRelocations());
        var e = assertThrows(CoreRelocationException.class, () -> Collection.load(spec.withProgram(broken)).close());
        assertTrue(e.getMessage().startsWith("program read_task, instruction " + first.instructionOffset() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("task_struct___local"), e.getMessage());
    }

    @Test
    void explainPoisonOnlySpeaksAboutPoisonedInstructions() {
        CollectionSpec spec = compile("loader/core.c");
        ProgramSpec p = spec.programs().get("read_task");
        Map<Integer, String> poisoned = CoreRelocations.apply(p, spec.btf(), Btf.kernel(), true).poisoned();
        assertNull(CoreRelocations.explainPoison("0: (b7) r0 = 0\nR0 !read_ok\n", poisoned));
        assertNull(CoreRelocations.explainPoison(null, poisoned));
        String log = "9999: (85) call unknown#195896080\ninvalid func unknown#195896080\nprocessed 8 insns\n";
        // No poison recorded at that slot (core.c is far shorter): still says what happened.
        assertEquals("instruction 9999 was poisoned because a CO-RE relocation could not be resolved against the kernel's BTF",
                CoreRelocations.explainPoison(log, poisoned));
    }
}
