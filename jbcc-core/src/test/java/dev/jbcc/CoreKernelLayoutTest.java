package dev.jbcc;

import dev.jbcc.asm.Instruction;
import dev.jbcc.asm.Instructions;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.CoreReloKind;
import dev.jbcc.btf.core.CoreFixup;
import dev.jbcc.btf.core.CoreResolver;
import dev.jbcc.errors.VerifierException;
import dev.jbcc.features.KernelVersion;
import dev.jbcc.obj.testing.CoreObject;
import dev.jbcc.obj.testing.KernelFields;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.CoreRelocation;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.spec.ProgramSpec;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.HostKernelOnly;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * CO-RE programs ({@code bpf/core/core.c}) run on contexts laid out like kernel structs: a
 * {@code SEC("syscall")} program reads its context, which the test fills at the offsets the
 * kernel's BTF gives, so a relocated load returning the value put there proves offset, width and
 * sign handling on the real verifier and CPU. The local structs list fields in another order, some
 * with another size, and one field the kernel lacks.
 */
@ExtendWith(FdLeakCheck.class)
class CoreKernelLayoutTest {
    @TempDir
    static Path dir;

    static CollectionSpec spec;
    static Btf kernel;

    @BeforeAll
    static void compile() throws Exception {
        spec = ObjectReader.read(CoreObject.compile(dir, "core", "syscall").elf());
        kernel = Btf.kernel();
    }

    /** Loads these programs of core.c through the loader (which applies CO-RE). */
    static Collection load(String... programs) {
        return Collection.load(spec, CollectionOptions.defaults().withPrograms(Set.of(programs)));
    }

    /** Runs a syscall program on a context (syscall programs take no repeat count). */
    static int run(Program p, byte[] context) {
        return p.testRun(new TestRun(null, 0, context, 0, 0, 0, 0)).returnValue();
    }

    /** A zeroed little-endian buffer the size of the kernel's struct. */
    static ByteBuffer kernelStruct(String name) {
        long size = kernel.sizeOf(KernelFields.struct(kernel, name));
        assertTrue(size < 65535, "a syscall program's context is at most 64 KiB");
        return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int offset(String struct, String path) {
        KernelFields.Field f = KernelFields.field(kernel, struct, path);
        assertNotNull(f, struct + "." + path);
        return (int) f.byteOffset();
    }

    /** Writes the low {@code bits} bits of {@code value} at bit {@code offset} (little endian). */
    static void setBits(byte[] buf, long offset, int bits, long value) {
        for (int i = 0; i < bits; i++) {
            long bit = offset + i;
            int mask = 1 << (bit % 8);
            if ((value >>> i & 1) != 0) buf[(int) (bit / 8)] |= (byte) mask;
            else buf[(int) (bit / 8)] &= (byte) ~mask;
        }
    }

    @Test
    void loadsReadTheKernelsFields() {
        ByteBuffer task = kernelStruct("task_struct");
        task.putInt(offset("task_struct", "pid"), 4321);
        task.putInt(offset("task_struct", "tgid"), 8765);
        task.put(offset("task_struct", "comm") + 3, (byte) 'x');
        task.putLong(offset("task_struct", "se.vruntime"), 0x1122_3344_5566_7788L);
        task.putInt(offset("task_struct", "__state"), 0x402);
        byte[] ctx = task.array();
        try (Collection c = load("read_pid", "read_tgid", "read_comm3", "read_vruntime", "read_state",
                "read_missing_guarded")) {
            assertEquals(4321, run(c.program("read_pid"), ctx));
            assertEquals(8765, run(c.program("read_tgid"), ctx));
            assertEquals('x', run(c.program("read_comm3"), ctx));
            assertEquals(0x5566_7788, run(c.program("read_vruntime"), ctx));
            assertEquals(0x402, run(c.program("read_state"), ctx), "task_struct___new.__state, not ___old.state");
            assertEquals(4242, run(c.program("read_missing_guarded"), ctx), "the guarded poisoned read is dead code");
        }
    }

    @Test
    void unsignedLoadShrinksToTheKernelFieldsSize() {
        // The program reads flags as an unsigned long; the kernel's is an unsigned int, followed by other fields.
        ByteBuffer task = kernelStruct("task_struct");
        int flags = offset("task_struct", "flags");
        assertEquals(4, kernel.sizeOf(KernelFields.field(kernel, "task_struct", "flags").typeId()));
        task.putInt(flags, 0x89ab_cdef);
        task.putInt(flags + 4, 0xffff_ffff);
        try (Collection c = load("read_flags_low", "read_flags_high")) {
            assertEquals(0x89ab_cdef, run(c.program("read_flags_low"), task.array()));
            assertEquals(0, run(c.program("read_flags_high"), task.array()), "zero-extended, not the next field");
        }
    }

    @Test
    @HostKernelOnly("bpf_reg_state.iter (a signed bitfield in an anonymous union): Linux 6.4")
    void bitfieldsReadWithProbedRelocations() {
        KernelFields.Field iowait = KernelFields.field(kernel, "task_struct", "in_iowait");
        assertTrue(iowait.bitfieldSize() > 0);
        byte[] set = kernelStruct("task_struct").array();
        setBits(set, iowait.bitOffset(), iowait.bitfieldSize(), 1);
        byte[] neighbours = kernelStruct("task_struct").array();
        setBits(neighbours, iowait.bitOffset() - 16, 32 + iowait.bitfieldSize(), -1);
        setBits(neighbours, iowait.bitOffset(), iowait.bitfieldSize(), 0);

        // A signed 30-bit field inside an anonymous union of the kernel's struct; locally a plain member.
        KernelFields.Field depth = KernelFields.field(kernel, "bpf_reg_state", "iter.depth");
        assertTrue(KernelFields.signed(kernel, depth));
        byte[] reg = kernelStruct("bpf_reg_state").array();
        setBits(reg, depth.bitOffset(), depth.bitfieldSize(), -3);
        byte[] regMax = kernelStruct("bpf_reg_state").array();
        setBits(regMax, depth.bitOffset(), depth.bitfieldSize(), (1 << 29) - 1);

        try (Collection c = load("read_in_iowait", "read_depth")) {
            assertEquals(1, run(c.program("read_in_iowait"), set));
            assertEquals(0, run(c.program("read_in_iowait"), neighbours), "only the field's bit, not its neighbours");
            assertEquals(-3, run(c.program("read_depth"), reg), "sign-extended");
            assertEquals((1 << 29) - 1, run(c.program("read_depth"), regMax));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // A signed field of another size: a sign-extending load where the kernel has BPF_MEMSX (6.6),
    // poisoned before (as libbpf always does), and poisoned whenever a resolver is not asked for it

    @Test
    void signedFieldOfAnotherSizeIsSignExtendedFrom66AndPoisonedBefore() {
        if (!KernelVersion.current().atLeast(6, 6)) {
            var e = assertThrows(VerifierException.class, () -> load("read_prio_low").close());
            assertTrue(e.getMessage().contains("task_struct___l.prio") && e.getMessage().contains("unsigned integers"),
                    e.getMessage());
            return;
        }
        ByteBuffer task = kernelStruct("task_struct");
        task.putInt(offset("task_struct", "prio"), -5);
        try (Collection c = load("read_prio_low")) {
            assertEquals(-5, run(c.program("read_prio_low"), task.array()));
        }
    }

    @Test
    void signedFieldOfAnotherSizeIsPoisonedUnlessTheResolverIsAsked() {
        ProgramSpec low = relocate("read_prio_low", CoreResolver.of(spec.btf(), kernel));
        assertEquals(CoreFixup.poisonInstruction(), low.instructions().get(0));
    }

    /** The program's instructions relocated by {@code resolver}, as a loader would (no ld_imm64 in these programs). */
    static ProgramSpec relocate(String name, CoreResolver resolver) {
        ProgramSpec p = spec.program(name);
        Instructions.Builder b = p.instructions().toBuilder();
        for (CoreRelocation r : p.coreRelocations()) {
            int index = p.instructions().indexOfSlot(r.instructionOffset());
            List<Instruction> out = resolver.resolve(r.typeId(), r.accessString(), r.kind()).apply(b.get(index));
            assertEquals(1, out.size());
            b.set(index, out.getFirst());
        }
        return new ProgramSpec(p.name(), p.sectionName(), p.type(), p.attachType(), p.attachTarget(), p.flags(),
                p.license(), p.kernelVersion(), b.build(), List.of(), List.of(), List.of());
    }

    @Test
    @HostKernelOnly("BPF_MEMSX sign-extending loads: Linux 6.6")
    void signedFieldOfAnotherSizeBecomesASignExtendingLoadWhenAsked() {
        // The program reads prio as a signed long; the kernel's is an int.
        CoreResolver resolver = CoreResolver.of(spec.btf(), kernel).withSignExtendingLoads();
        ProgramSpec low = relocate("read_prio_low", resolver);
        ProgramSpec high = relocate("read_prio_high", resolver);
        Instruction load = low.instructions().get(0);
        assertEquals(0x81, load.opcode(), "BPF_LDX | BPF_MEMSX | BPF_W");
        assertEquals(offset("task_struct", "prio"), load.offset());

        ByteBuffer task = kernelStruct("task_struct");
        int prio = offset("task_struct", "prio");
        task.putInt(prio, -5);
        task.putInt(prio + 4, 0x1234_5678); // the next field: must not be read
        try (Program l = Program.load(low); Program h = Program.load(high)) {
            assertEquals(-5, run(l, task.array()));
            assertEquals(-1, run(h, task.array()), "upper half sign-extended");
            task.putInt(prio, 120);
            assertEquals(120, run(l, task.array()));
            assertEquals(0, run(h, task.array()));
        }
    }

    @Test
    void signExtensionIsForLoadsOnly() {
        CoreFixup signed = new CoreFixup(CoreReloKind.FIELD_BYTE_OFFSET, "field s___l.f", 24, 108, true, 8, 4,
                true, true, null);
        Instruction store = new Instruction(0x7b, 1, 2, (short) 24, 0); // *(u64 *)(r1 + 24) = r2
        assertNotNull(signed.poisonFor(store));
        assertEquals(List.of(CoreFixup.poisonInstruction()), signed.apply(store));
        Instruction wide = new Instruction(0x79, 0, 1, (short) 24, 0); // r0 = *(u64 *)(r1 + 24)
        assertEquals(List.of(new Instruction(0x81, 0, 1, (short) 108, 0)), signed.apply(wide));
        // Growing a signed 4-byte load to 8 bytes: a plain 64-bit load (there is no 8-byte BPF_MEMSX).
        CoreFixup grow = new CoreFixup(CoreReloKind.FIELD_BYTE_OFFSET, "field s___l.f", 24, 112, true, 4, 8,
                true, true, null);
        assertEquals(List.of(new Instruction(0x79, 0, 1, (short) 112, 0)),
                grow.apply(new Instruction(0x81, 0, 1, (short) 24, 0)));
        // Without the resolver's consent a signed resize stays poisoned.
        CoreFixup refused = new CoreFixup(CoreReloKind.FIELD_BYTE_OFFSET, "field s___l.f", 24, 108, true, 8, 4,
                true, false, null);
        assertNotNull(refused.poisonFor(wide));
    }
}
