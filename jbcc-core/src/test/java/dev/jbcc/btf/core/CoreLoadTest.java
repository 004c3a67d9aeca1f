package dev.jbcc.btf.core;

import dev.jbcc.Program;
import dev.jbcc.TestRun;
import dev.jbcc.VerifierException;
import dev.jbcc.asm.Instructions;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.CoreReloKind;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.CoreRelocation;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.spec.ProgramSpec;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Relocates the programs of {@code bpf/core/core.c} for the running kernel, loads them and runs
 * them with {@code BPF_PROG_TEST_RUN}. A syscall program's context is a buffer the test fills at
 * the kernel's offsets (looked up in the kernel's BTF), so a relocated load that returns the value
 * put there proves the offset, the memory size and the sign handling on the real verifier and CPU.
 */
@ExtendWith(FdLeakCheck.class)
class CoreLoadTest {
    @TempDir
    static Path dir;

    static CollectionSpec spec;
    static Btf kernel;
    static CoreRelocator relocator;

    @BeforeAll
    static void compile() throws Exception {
        CoreObject object = CoreObject.compile(dir, "core", "syscall");
        spec = ObjectReader.read(object.elf());
        kernel = Btf.kernel();
        relocator = CoreRelocator.of(spec.btf(), CoreTarget.kernel());
    }

    /** A program with its relocations applied, and the fixups for explaining a rejection. */
    record Relocated(ProgramSpec program, List<CoreFixup> fixups) {}

    /** What a loader does: encode, relocate every CO-RE site, decode. */
    static Relocated relocate(String name) {
        ProgramSpec p = spec.program(name);
        assertFalse(p.coreRelocations().isEmpty(), name + " has CO-RE relocations");
        byte[] code = p.instructions().encode(ByteOrder.LITTLE_ENDIAN);
        List<CoreFixup> fixups = new ArrayList<>();
        for (CoreRelocation r : p.coreRelocations()) {
            fixups.add(relocator.relocate(code, r.instructionOffset(), r.typeId(), r.accessString(), r.kind()));
        }
        Instructions insns = Instructions.decode(MemorySegment.ofArray(code), ByteOrder.LITTLE_ENDIAN);
        ProgramSpec out = new ProgramSpec(p.name(), p.sectionName(), p.type(), p.attachType(), p.attachTarget(),
                p.flags(), p.license(), p.kernelVersion(), insns, List.of(), List.of(), List.of());
        return new Relocated(out, fixups);
    }

    static int run(String name, byte[] context) {
        try (Program prog = Program.load(relocate(name).program())) {
            // Syscall programs take no repeat count (the kernel refuses 1 as well as more).
            return prog.testRun(new TestRun(null, 0, context, 0, 0, 0, 0)).returnValue();
        }
    }

    /** A zeroed buffer the size of the kernel's struct, little endian like the kernel. */
    static ByteBuffer kernelStruct(String name) {
        long size = kernel.sizeOf(KernelLayout.struct(kernel, name));
        assertTrue(size < 65535, "a syscall program's context is at most 64 KiB");
        return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int offset(String struct, String... path) {
        return (int) KernelLayout.field(kernel, struct, path).byteOffset();
    }

    @Test
    void relocatedLoadsReadTheKernelOffsets() {
        ByteBuffer task = kernelStruct("task_struct");
        task.putInt(offset("task_struct", "pid"), 4321);
        task.putInt(offset("task_struct", "tgid"), 8765);
        task.put(offset("task_struct", "comm") + 3, (byte) 'x');
        task.putLong(offset("task_struct", "se", "vruntime"), 0x1122_3344_5566_7788L);
        task.putInt(offset("task_struct", "__state"), 0x402);
        byte[] ctx = task.array();

        assertEquals(4321, run("read_pid", ctx));
        assertEquals(8765, run("read_tgid", ctx));
        assertEquals('x', run("read_comm3", ctx));
        assertEquals(0x5566_7788, run("read_vruntime", ctx));
    }

    @Test
    void loadOfAnUnsignedFieldShrinksToTheKernelSize() {
        // The program reads flags as 8 bytes; the kernel's are 4, followed by other fields.
        ByteBuffer task = kernelStruct("task_struct");
        int flags = offset("task_struct", "flags");
        task.putInt(flags, 0x89ab_cdef);
        task.putInt(flags + 4, 0xffff_ffff);
        assertEquals(0x89ab_cdef, run("read_flags_low", task.array()));
        assertEquals(0, run("read_flags_high", task.array()), "upper half zero-extended, not the next field");
    }

    @Test
    void loadOfASignedFieldShrinksWithSignExtension() {
        // The program reads prio as a signed 8-byte long; the kernel's is a 4-byte int.
        ByteBuffer task = kernelStruct("task_struct");
        int prio = offset("task_struct", "prio");
        task.putInt(prio, -5);
        task.putInt(prio + 4, 0x1234_5678);
        assertEquals(-5, run("read_prio_low", task.array()));
        assertEquals(-1, run("read_prio_high", task.array()), "upper half sign-extended");
        task.putInt(prio, 120);
        assertEquals(0, run("read_prio_high", task.array()));
    }

    @Test
    void renamedFieldThroughFlavours() {
        ByteBuffer task = kernelStruct("task_struct");
        task.putInt(offset("task_struct", "__state"), 0x402);
        assertEquals(0x402, run("read_state", task.array()));
    }

    @Test
    void unsignedBitfieldReadWithProbedRelocations() {
        KernelLayout.Field f = KernelLayout.field(kernel, "task_struct", "in_iowait");
        ByteBuffer task = kernelStruct("task_struct");
        byte[] set = task.array();
        setBits(set, f.bitOffset(), f.bitfieldSize(), 1);
        assertEquals(1, run("read_in_iowait", set));
        byte[] neighbours = kernelStruct("task_struct").array();
        // Every bit around the field set, the field itself clear.
        for (long bit = f.bitOffset() - 16; bit < f.bitOffset() + 16; bit++) setBits(neighbours, bit, 1, 1);
        setBits(neighbours, f.bitOffset(), f.bitfieldSize(), 0);
        assertEquals(0, run("read_in_iowait", neighbours));
    }

    @Test
    void signedBitfieldInAnonymousUnionIsSignExtended() {
        KernelLayout.Field f = KernelLayout.field(kernel, "bpf_reg_state", "iter", "depth");
        byte[] reg = kernelStruct("bpf_reg_state").array();
        setBits(reg, f.bitOffset(), f.bitfieldSize(), -3);
        assertEquals(-3, run("read_depth", reg));
        setBits(reg, f.bitOffset(), f.bitfieldSize(), (1 << 29) - 1); // the largest positive value
        assertEquals((1 << 29) - 1, run("read_depth", reg));
    }

    /** Writes the low {@code bits} bits of {@code value} at bit {@code offset} (little endian). */
    static void setBits(byte[] buf, long offset, int bits, long value) {
        for (int i = 0; i < bits; i++) {
            long bit = offset + i;
            int b = (int) (bit / 8);
            int mask = 1 << (bit % 8);
            if ((value >>> i & 1) != 0) buf[b] |= (byte) mask;
            else buf[b] &= (byte) ~mask;
        }
    }

    @Test
    void constantsFromTheKernel() {
        byte[] ctx = new byte[8];
        int sizes = run("field_sizes", ctx);
        assertEquals(kernel.sizeOf(KernelLayout.field(kernel, "task_struct", "flags").typeId()), sizes & 0xff);
        assertEquals(kernel.sizeOf(KernelLayout.field(kernel, "task_struct", "prio").typeId()), sizes >>> 8 & 0xff);
        assertEquals(16, sizes >>> 16 & 0xff);
        assertEquals(kernel.sizeOf(KernelLayout.field(kernel, "task_struct", "se").typeId()) & 0xff, sizes >>> 24 & 0xff);
        assertEquals(0b10_0101, run("field_flags", ctx), "exists pid, !exists missing, signed prio, !signed flags,"
                + " !exists old state, exists __state");
        assertEquals(offset("task_struct", "pid"), run("pid_offset", ctx));
        assertEquals(0b11_0101, run("type_flags", ctx));
        assertEquals(kernel.sizeOf(KernelLayout.struct(kernel, "task_struct")), run("task_size", ctx));
        assertEquals(4, run("pid_t_size", ctx));
        assertEquals(0, run("missing_type_size", ctx));
        assertEquals(KernelLayout.struct(kernel, "task_struct"), run("task_kernel_id", ctx));
        long ringbufOutput = KernelLayout.enumValue(kernel, "bpf_func_id", "BPF_FUNC_ringbuf_output");
        long ringbuf = KernelLayout.enumValue(kernel, "bpf_map_type", "BPF_MAP_TYPE_RINGBUF");
        assertEquals(ringbufOutput | ringbuf << 16, run("enum_values", ctx));
        assertEquals(0b01, run("enum_exists", ctx));
    }

    @Test
    void guardedMissingFieldLoadsAndTakesTheFallback() {
        Relocated r = relocate("read_missing_guarded");
        assertTrue(r.fixups().stream().anyMatch(CoreFixup::poisoned), "the guarded read is poisoned");
        assertEquals(4242, run("read_missing_guarded", kernelStruct("task_struct").array()));
    }

    @Test
    void reachablePoisonedFieldIsExplained() {
        Relocated r = relocate("read_missing");
        VerifierException e = assertThrows(VerifierException.class, () -> Program.load(r.program()).close());
        assertTrue(e.log().contains("#" + CoreInstructions.POISON_HELPER_ID), e.log());
        String why = CoreInstructions.explainPoison(e.log(), r.fixups()).orElseThrow();
        int slot = r.fixups().stream().filter(CoreFixup::poisoned).findFirst().orElseThrow().slot();
        assertEquals("instruction " + slot + " is reachable but was poisoned by CO-RE: FIELD_BYTE_OFFSET of field"
                + " struct task_struct___l.no_such_field_in_kernel: the kernel's struct task_struct has no field"
                + " no_such_field_in_kernel of a compatible type; guard the access with bpf_core_field_exists() so"
                + " the verifier can see it is dead code on this kernel", why);
    }

    @Test
    void reachablePoisonedEnumValueIsExplained() {
        Relocated r = relocate("enum_missing_value");
        CoreFixup f = r.fixups().getFirst();
        assertEquals(CoreReloKind.ENUMVAL_VALUE, f.result().kind());
        assertTrue(f.poisoned());
        VerifierException e = assertThrows(VerifierException.class, () -> Program.load(r.program()).close());
        String why = CoreInstructions.explainPoison(e.log(), r.fixups()).orElseThrow();
        assertTrue(why.contains("enumerator enum bpf_func_id___l::BPF_FUNC_no_such_helper")
                && why.contains("bpf_core_enum_value_exists()"), why);
    }

    @Test
    void otherRejectionsAreNotBlamedOnCore() {
        String log = "0: (b7) r0 = 0\n1: (95) exit\nR0 !read_ok\n";
        assertTrue(CoreInstructions.explainPoison(log, relocate("read_missing").fixups()).isEmpty());
        assertTrue(CoreInstructions.explainPoison(null, List.of()).isEmpty());
    }
}
