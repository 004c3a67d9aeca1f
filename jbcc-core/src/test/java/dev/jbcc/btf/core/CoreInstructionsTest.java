package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfExt;
import dev.jbcc.btf.CoreReloKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Patching raw instruction bytes: clang's code for {@code bpf/core/core.c}, and hand-made cases. */
class CoreInstructionsTest {
    static final String SECTION = "syscall";

    @TempDir
    static Path dir;

    static CoreObject object;
    static Btf kernel;
    /** The section's code with every relocation applied. */
    static byte[] patched;
    static List<CoreFixup> fixups;

    @BeforeAll
    static void patchAll() throws Exception {
        object = CoreObject.compile(dir, "core", SECTION);
        kernel = Btf.kernel();
        patched = object.code().clone();
        CoreRelocator relocator = CoreRelocator.of(object.btf(), CoreTarget.kernel());
        fixups = new java.util.ArrayList<>();
        for (BtfExt.CoreRelo r : object.relocations(SECTION)) {
            fixups.add(relocator.relocate(patched, r.insnOff() / 8, r.typeId(), r.accessString(), r.kind()));
        }
    }

    record Insn(int opcode, int dst, int src, short off, int imm) {}

    static Insn insn(byte[] code, int slot) {
        ByteBuffer b = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
        int at = slot * 8;
        int regs = b.get(at + 1) & 0xff;
        return new Insn(b.get(at) & 0xff, regs & 0xf, regs >>> 4, b.getShort(at + 2), b.getInt(at + 4));
    }

    static int slot(String function) {
        return object.functionSlot(SECTION, function);
    }

    static int offset(String... path) {
        return (int) KernelLayout.field(kernel, "task_struct", path).byteOffset();
    }

    @Test
    void loadOffsetIsPatchedAndSizeKept() {
        Insn before = insn(object.code(), slot("read_pid"));
        Insn after = insn(patched, slot("read_pid"));
        assertEquals(0x61, after.opcode(), "ldxw");
        assertEquals(offset("pid"), after.off());
        assertEquals(new Insn(before.opcode(), before.dst(), before.src(), (short) offset("pid"), before.imm()), after);
    }

    @Test
    void unsignedLoadShrinksToTheKernelFieldSize() {
        assertEquals(0x79, insn(object.code(), slot("read_flags_low")).opcode(), "clang reads the local u64 with ldxdw");
        Insn after = insn(patched, slot("read_flags_low"));
        assertEquals(0x61, after.opcode(), "BPF_LDX | BPF_MEM | BPF_W");
        assertEquals(offset("flags"), after.off());
    }

    @Test
    void signedLoadShrinksToASignExtendingLoad() {
        assertEquals(0x79, insn(object.code(), slot("read_prio_low")).opcode());
        Insn after = insn(patched, slot("read_prio_low"));
        assertEquals(0x81, after.opcode(), "BPF_LDX | BPF_MEMSX | BPF_W");
        assertEquals(offset("prio"), after.off());
    }

    @Test
    void missingFieldLoadIsPoisoned() {
        Insn after = insn(patched, slot("read_missing"));
        assertEquals(new Insn(0x85, 0, 0, (short) 0, 0xbad2310), after);
        assertEquals(195896080, CoreInstructions.POISON_HELPER_ID);
        CoreFixup f = fixups.stream().filter(x -> x.slot() == slot("read_missing")).findFirst().orElseThrow();
        assertTrue(f.poisoned());
        assertEquals(f.result().reason(), f.poisonReason());
    }

    @Test
    void existenceCheckBecomesZeroNotPoison() {
        // read_missing_guarded: "r2 = 1" (FIELD_EXISTS) turns into "r2 = 0".
        int s = slot("read_missing_guarded");
        boolean found = false;
        for (CoreFixup f : fixups) {
            if (f.result().kind() == CoreReloKind.FIELD_EXISTS && f.slot() >= s && f.slot() < s + 4
                    && f.result().local().endsWith("no_such_field_in_kernel")) {
                assertFalse(f.poisoned());
                assertEquals(1, insn(object.code(), f.slot()).imm());
                assertEquals(0, insn(patched, f.slot()).imm());
                assertEquals(0xb7, insn(patched, f.slot()).opcode());
                found = true;
            }
        }
        assertTrue(found);
    }

    @Test
    void wideImmediateLoadsArePatchedInBothHalves() {
        int s = slot("task_kernel_id");
        assertEquals(0x18, insn(patched, s).opcode());
        assertEquals(KernelLayout.struct(kernel, "task_struct"), insn(patched, s).imm());
        assertEquals(0, insn(patched, s + 1).imm());
        // A poisoned ld_imm64 loses both slots.
        int m = slot("enum_missing_value");
        assertEquals(new Insn(0x85, 0, 0, (short) 0, 0xbad2310), insn(patched, m));
        assertEquals(new Insn(0x85, 0, 0, (short) 0, 0xbad2310), insn(patched, m + 1));
    }

    @Test
    void instructionThatDoesNotHoldTheLocalValueIsRejected() {
        byte[] code = object.code().clone();
        int s = slot("read_pid");
        code[s * 8 + 2] = 0x7c; // another offset than the compiler's 20
        BtfExt.CoreRelo r = object.relocations(SECTION).stream().filter(x -> x.insnOff() == s * 8).findFirst().orElseThrow();
        CoreRelocator relocator = CoreRelocator.of(object.btf(), CoreTarget.kernel());
        CoreRelocationException e = assertThrows(CoreRelocationException.class,
                () -> relocator.relocate(code, s, r.typeId(), r.accessString(), r.kind()));
        assertTrue(e.getMessage().startsWith("instruction " + s + ": CO-RE relocation FIELD_BYTE_OFFSET struct"
                + " task_struct___l.pid"), e.getMessage());
        assertTrue(e.getMessage().contains("holds 124 where the compiler's value is 20"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------
    // Hand-made instructions and results

    static CoreResult offsetResult(long local, long target, int localSize, int targetSize, CoreResult.Resize resize) {
        return new CoreResult(CoreReloKind.FIELD_BYTE_OFFSET, 1, "0:1", "struct s___l.f", "struct s.f", local, target,
                false, true, localSize, targetSize, resize, 2, null);
    }

    static byte[] code(long... insns) {
        ByteBuffer b = ByteBuffer.allocate(insns.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long i : insns) b.putLong(i);
        return b.array();
    }

    /** One instruction as the kernel lays it out (little endian): opcode, regs, off, imm. */
    static long encode(int opcode, int dst, int src, int off, int imm) {
        return (opcode & 0xffL) | (long) (dst | src << 4) << 8 | (off & 0xffffL) << 16 | (imm & 0xffffffffL) << 32;
    }

    @Test
    void storeToASignedFieldOfAnotherSizeIsPoisoned() {
        byte[] c = code(encode(0x7b, 1, 2, 24, 0)); // *(u64 *)(r1 + 24) = r2
        CoreFixup f = CoreInstructions.apply(c, 0, offsetResult(24, 108, 8, 4, CoreResult.Resize.SIGN_EXTENDING));
        assertTrue(f.poisoned());
        assertTrue(f.poisonReason().contains("writes struct s___l.f as 8 bytes but the kernel's struct s.f is 4 bytes"),
                f.poisonReason());
        assertEquals(new Insn(0x85, 0, 0, (short) 0, 0xbad2310), insn(c, 0));
    }

    @Test
    void loadOfAnotherTypeAndSizeIsPoisoned() {
        byte[] c = code(encode(0x61, 0, 1, 8, 0)); // r0 = *(u32 *)(r1 + 8)
        CoreFixup f = CoreInstructions.apply(c, 0, offsetResult(8, 16, 4, 8, CoreResult.Resize.FORBIDDEN));
        assertTrue(f.poisoned());
        assertTrue(f.poisonReason().contains("another type or signedness"), f.poisonReason());
    }

    @Test
    void unsignedLoadGrowsAndStoreShrinks() {
        byte[] c = code(encode(0x61, 0, 1, 8, 0), encode(0x63, 1, 2, 8, 0)); // ldxw, stxw
        CoreResult r = offsetResult(8, 40, 4, 8, CoreResult.Resize.ZERO_EXTENDING);
        assertFalse(CoreInstructions.apply(c, 0, r).poisoned());
        assertFalse(CoreInstructions.apply(c, 1, r).poisoned());
        assertEquals(new Insn(0x79, 0, 1, (short) 40, 0), insn(c, 0));
        assertEquals(new Insn(0x7b, 1, 2, (short) 40, 0), insn(c, 1));
    }

    @Test
    void signExtendingLoadGrowingToEightBytesBecomesAPlainLoad() {
        byte[] c = code(encode(0x81, 0, 1, 8, 0)); // r0 = *(s32 *)(r1 + 8)
        CoreInstructions.apply(c, 0, offsetResult(8, 16, 4, 8, CoreResult.Resize.SIGN_EXTENDING));
        assertEquals(new Insn(0x79, 0, 1, (short) 16, 0), insn(c, 0));
    }

    @Test
    void loadWhoseSizeIsNotTheFieldsIsRejected() {
        byte[] c = code(encode(0x71, 0, 1, 8, 0)); // a 1-byte load of a 4-byte field
        CoreRelocationException e = assertThrows(CoreRelocationException.class, () -> CoreInstructions.apply(c, 0,
                offsetResult(8, 16, 4, 8, CoreResult.Resize.ZERO_EXTENDING)));
        assertTrue(e.getMessage().contains("accesses 1 bytes"), e.getMessage());
    }

    @Test
    void offsetBeyondSixteenBitsIsRejected() {
        byte[] c = code(encode(0x61, 0, 1, 8, 0));
        CoreRelocationException e = assertThrows(CoreRelocationException.class, () -> CoreInstructions.apply(c, 0,
                offsetResult(8, 40_000, 4, 4, CoreResult.Resize.NOT_NEEDED)));
        assertTrue(e.getMessage().contains("does not fit a 16-bit instruction offset"), e.getMessage());
    }

    @Test
    void immediates() {
        CoreResult size = new CoreResult(CoreReloKind.TYPE_SIZE, 1, "0", "struct s___l", "struct s", 8, 3264, false,
                true, 0, 0, CoreResult.Resize.NOT_NEEDED, 2, null);
        byte[] c = code(encode(0xb7, 1, 0, 0, 8), encode(0x07, 1, 0, 0, 8), encode(0xb4, 1, 0, 0, 8));
        for (int s = 0; s < 3; s++) CoreInstructions.apply(c, s, size);
        assertEquals(3264, insn(c, 0).imm());
        assertEquals(3264, insn(c, 1).imm());
        assertEquals(3264, insn(c, 2).imm());

        CoreResult huge = new CoreResult(CoreReloKind.ENUMVAL_VALUE, 1, "0", "enum e___l::X", "enum e::X", 8,
                1L << 40, false, true, 0, 0, CoreResult.Resize.NOT_NEEDED, 2, null);
        byte[] mov = code(encode(0xb7, 1, 0, 0, 8));
        CoreRelocationException e = assertThrows(CoreRelocationException.class, () -> CoreInstructions.apply(mov, 0, huge));
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());

        byte[] wide = code(encode(0x18, 1, 0, 0, 8), 0);
        CoreInstructions.apply(wide, 0, huge);
        assertEquals(0, insn(wide, 0).imm());
        assertEquals(1 << 8, insn(wide, 1).imm());

        byte[] register = code(encode(0x0f, 1, 2, 0, 0)); // r1 += r2
        e = assertThrows(CoreRelocationException.class, () -> CoreInstructions.apply(register, 0, size));
        assertTrue(e.getMessage().contains("register operand"), e.getMessage());
        byte[] mapLoad = code(encode(0x18, 1, 1, 0, 8), 0); // ld_imm64 of a map fd
        e = assertThrows(CoreRelocationException.class, () -> CoreInstructions.apply(mapLoad, 0, size));
        assertTrue(e.getMessage().contains("not a plain constant"), e.getMessage());
        e = assertThrows(CoreRelocationException.class, () -> CoreInstructions.apply(c, 3, size));
        assertTrue(e.getMessage().contains("outside the code"), e.getMessage());
    }

    @Test
    void bigEndianCode() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0x61).put((byte) 0x01).putShort((short) 8).putInt(0); // BE: dst in the high nibble
        CoreInstructions.apply(MemorySegment.ofArray(b.array()), 0, ByteOrder.BIG_ENDIAN,
                offsetResult(8, 300, 4, 4, CoreResult.Resize.NOT_NEEDED));
        assertEquals(300, b.getShort(2));
        assertEquals(0x01, b.get(1));
    }

    @Test
    void explainPicksTheReachedInstruction() {
        CoreResult missing = new CoreResult(CoreReloKind.FIELD_BYTE_OFFSET, 1, "0:2", "struct s___l.gone", null, 8, 0,
                true, true, 4, 0, CoreResult.Resize.NOT_NEEDED, 0, "the kernel's struct s has no field gone");
        CoreResult other = new CoreResult(CoreReloKind.ENUMVAL_VALUE, 3, "1", "enum e___l::B", null, 1, 0,
                true, true, 0, 0, CoreResult.Resize.NOT_NEEDED, 0, "the kernel's enum e has no enumerator B");
        List<CoreFixup> two = List.of(new CoreFixup(3, missing, missing.reason()), new CoreFixup(7, other, other.reason()));
        String log = "0: R1=ctx() R10=fp0\n0: (b7) r0 = 0\n7: (85) call unknown#195896080\ninvalid func unknown#195896080\n";
        String why = CoreInstructions.explainPoison(log, two).orElseThrow();
        assertTrue(why.startsWith("instruction 7 is reachable but was poisoned by CO-RE: ENUMVAL_VALUE of enumerator"
                + " enum e___l::B"), why);
        // The second slot of a poisoned ld_imm64 maps to its first.
        why = CoreInstructions.explainPoison(log.replace("7:", "8:"), two).orElseThrow();
        assertTrue(why.contains("enum e___l::B"), why);
        // A log without the disassembly: all candidates are listed.
        why = CoreInstructions.explainPoison("invalid func unknown#195896080\n", two).orElseThrow();
        assertTrue(why.contains("instruction 3: FIELD_BYTE_OFFSET of field struct s___l.gone")
                && why.contains("instruction 7: ENUMVAL_VALUE"), why);
        assertTrue(CoreInstructions.explainPoison(log, List.of()).isEmpty());
    }
}
