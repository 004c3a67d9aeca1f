package dev.jbcc;

import dev.jbcc.asm.Instruction;
import dev.jbcc.asm.Opcode;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.CoreReloKind;
import dev.jbcc.btf.core.CoreFixup;
import dev.jbcc.btf.core.CoreResolver;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.errors.CoreRelocationException;
import dev.jbcc.errors.FormatException;
import dev.jbcc.obj.testing.KernelFields;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.CoreRelocation;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.spec.ProgramSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.jbcc.btf.CoreReloKind.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Relocation-level tests: the relocations clang-19 emits for bpf/core/kinds.c, resolved against the
 * running kernel's BTF, give the values a plain walk of that BTF ({@link KernelFields}) predicts.
 */
class CoreResolverTest {
    private static Btf kernel;
    private static CollectionSpec kinds;

    @BeforeAll
    static void compile() {
        kernel = Btf.kernel();
        kinds = compileResource("kinds.c");
    }

    static CollectionSpec compileResource(String name) {
        try (InputStream in = CoreResolverTest.class.getResourceAsStream("/bpf/core/" + name)) {
            return compileText(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CollectionSpec compileText(String name, String text) {
        return ObjectReader.read(ClangCompiler.create().compile(Source.of(name, text), List.of()).elf());
    }

    private static String key(CoreReloKind kind, String subject) {
        return kind + " " + subject;
    }

    /** What every relocation in kinds.c must resolve to, from the kernel's BTF; null means poisoned. */
    private static Map<String, Long> expectations() {
        Map<String, Long> e = new HashMap<>();
        String task = "field task_struct___v1.";
        var pid = KernelFields.field(kernel, "task_struct", "pid");
        var tgid = KernelFields.field(kernel, "task_struct", "tgid");
        var flags = KernelFields.field(kernel, "task_struct", "flags");
        var comm = KernelFields.field(kernel, "task_struct", "comm");
        var vruntime = KernelFields.field(kernel, "task_struct", "se.vruntime");
        var inExecve = KernelFields.field(kernel, "task_struct", "in_execve");
        var pktType = KernelFields.field(kernel, "sk_buff", "pkt_type");
        var len = KernelFields.field(kernel, "sk_buff", "len");
        assertNull(KernelFields.field(kernel, "task_struct", "jbcc_no_such_field"));
        assertTrue(inExecve.bitfieldSize() > 0 && pktType.bitfieldSize() > 0, "the test's bitfields are bitfields");
        long commElement = kernel.sizeOf(((BtfType.Array) kernel.type(kernel.resolve(comm.typeId()))).type());

        e.put(key(FIELD_BYTE_OFFSET, task + "pid"), pid.byteOffset());
        e.put(key(FIELD_BYTE_OFFSET, task + "tgid"), tgid.byteOffset());
        e.put(key(FIELD_BYTE_OFFSET, task + "comm[3]"), comm.byteOffset() + 3 * commElement);
        e.put(key(FIELD_BYTE_OFFSET, task + "comm[0]"), comm.byteOffset());
        e.put(key(FIELD_BYTE_OFFSET, task + "se.vruntime"), vruntime.byteOffset());
        e.put(key(FIELD_BYTE_OFFSET, "field sk_buff___v1.len"), len.byteOffset());
        e.put(key(FIELD_BYTE_SIZE, task + "comm"), kernel.sizeOf(comm.typeId()));
        e.put(key(FIELD_BYTE_SIZE, task + "pid"), kernel.sizeOf(pid.typeId()));
        e.put(key(FIELD_EXISTS, task + "pid"), 1L);
        e.put(key(FIELD_EXISTS, task + "jbcc_no_such_field"), 0L);
        e.put(key(FIELD_SIGNED, task + "pid"), KernelFields.signed(kernel, pid) ? 1L : 0L);
        e.put(key(FIELD_SIGNED, task + "flags"), KernelFields.signed(kernel, flags) ? 1L : 0L);

        for (var bitfield : List.of(Map.entry(task + "in_execve", inExecve), Map.entry("field sk_buff___v1.pkt_type", pktType))) {
            long[] shifts = KernelFields.bitfieldShifts(kernel, bitfield.getValue());
            e.put(key(FIELD_LSHIFT_U64, bitfield.getKey()), shifts[0]);
            e.put(key(FIELD_RSHIFT_U64, bitfield.getKey()), shifts[1]);
            e.put(key(FIELD_BYTE_OFFSET, bitfield.getKey()), shifts[2]);
            e.put(key(FIELD_BYTE_SIZE, bitfield.getKey()), shifts[3]);
            e.put(key(FIELD_SIGNED, bitfield.getKey()), KernelFields.signed(kernel, bitfield.getValue()) ? 1L : 0L);
        }

        String v1 = "type struct task_struct___v1";
        int kernelTask = KernelFields.struct(kernel, "task_struct");
        e.put(key(TYPE_ID_LOCAL, v1), (long) kinds.btf().lookup("task_struct___v1", BtfType.Struct.class)[0]);
        e.put(key(TYPE_ID_TARGET, v1), (long) kernelTask);
        e.put(key(TYPE_EXISTS, v1), 1L);
        e.put(key(TYPE_SIZE, v1), kernel.sizeOf(kernelTask));
        assertEquals(0, kernel.lookup("jbcc_no_such_type").length);
        e.put(key(TYPE_EXISTS, "type struct jbcc_no_such_type___v1"), 0L);
        e.put(key(TYPE_SIZE, "type struct jbcc_no_such_type___v1"), 0L);
        // The kernel's list_head is two pointers to list_head: the ___good flavour has the same shape,
        // the ___bad one an int where the kernel has a pointer.
        var listHead = (BtfType.Struct) kernel.type(KernelFields.struct(kernel, "list_head"));
        assertEquals(List.of("next", "prev"), listHead.members().stream().map(BtfType.Member::name).toList());
        for (BtfType.Member m : listHead.members()) {
            BtfType.Ptr p = assertInstanceOf(BtfType.Ptr.class, kernel.type(kernel.resolve(m.type())));
            assertEquals("list_head", kernel.name(kernel.resolve(p.type())));
        }
        e.put(key(TYPE_MATCHES, "type struct list_head___good"), 1L);
        e.put(key(TYPE_MATCHES, "type struct list_head___bad"), 0L);

        String pidType = "enum value pid_type___v1::";
        e.put(key(ENUMVAL_EXISTS, pidType + "PIDTYPE_SID___v1"), 1L);
        e.put(key(ENUMVAL_EXISTS, pidType + "JBCC_NO_SUCH_PIDTYPE___v1"), 0L);
        e.put(key(ENUMVAL_VALUE, pidType + "PIDTYPE_SID___v1"), KernelFields.enumValue(kernel, "pid_type", "PIDTYPE_SID"));
        e.put(key(ENUMVAL_VALUE, pidType + "PIDTYPE_PGID___v1"), KernelFields.enumValue(kernel, "pid_type", "PIDTYPE_PGID"));
        e.put(key(ENUMVAL_VALUE, pidType + "JBCC_NO_SUCH_PIDTYPE___v1"), null);
        return e;
    }

    @Test
    void everyKindResolvesToWhatTheKernelBtfSays() {
        Map<String, Long> expected = expectations();
        Set<String> seen = new HashSet<>();
        Set<CoreReloKind> kindsSeen = new HashSet<>();
        List<String> wrong = new ArrayList<>();
        for (ProgramSpec p : kinds.programs().values()) {
            CoreResolver resolver = CoreResolver.of(kinds.btf(), kernel);
            for (CoreRelocation r : p.coreRelocations()) {
                CoreFixup f = resolver.resolve(r.typeId(), r.accessString(), r.kind());
                String k = key(r.kind(), f.subject());
                assertTrue(expected.containsKey(k), "the test expects nothing for " + k);
                Long want = expected.get(k);
                Long got = f.poisoned() ? null : f.targetValue();
                if (!java.util.Objects.equals(want, got)) wrong.add(k + ": expected " + want + ", got " + f);
                seen.add(k);
                kindsSeen.add(r.kind());
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(expected.keySet(), seen, "every expectation met a relocation");
        assertEquals(Set.of(CoreReloKind.values()), kindsSeen, "kinds.c covers all 13 kinds");
    }

    private static ProgramSpec program(String name) {
        return kinds.programs().get(name);
    }

    private static CoreRelocation relocation(ProgramSpec p, CoreReloKind kind, String subject) {
        CoreResolver resolver = CoreResolver.of(kinds.btf(), kernel);
        for (CoreRelocation r : p.coreRelocations()) {
            if (r.kind() == kind && resolver.resolve(r.typeId(), r.accessString(), r.kind()).subject().equals(subject)) return r;
        }
        throw new AssertionError("no " + kind + " relocation of " + subject);
    }

    private static Instruction instructionAt(ProgramSpec p, CoreRelocation r) {
        return p.instructions().get(p.instructions().indexOfSlot(r.instructionOffset()));
    }

    @Test
    void aNarrowerUnsignedLoadIsWidenedToTheKernelFieldsSize() {
        ProgramSpec p = program("skb_bits");
        CoreRelocation r = relocation(p, FIELD_BYTE_OFFSET, "field sk_buff___v1.len");
        Instruction load = instructionAt(p, r);
        assertEquals(OpcodeCheck.LDX_H, load.opcode() & OpcodeCheck.CLASS_AND_SIZE, "clang reads the local u16 with a 2-byte load");
        CoreFixup f = CoreResolver.of(kinds.btf(), kernel).resolve(r.typeId(), r.accessString(), r.kind());
        Instruction patched = f.apply(load).getFirst();
        var len = KernelFields.field(kernel, "sk_buff", "len");
        assertEquals(len.byteOffset(), patched.offset());
        assertEquals(kernel.sizeOf(len.typeId()), Opcode.Size.of(patched.opcode()).bytes());
        assertEquals(load.dst(), patched.dst());
        assertEquals(load.src(), patched.src());
    }

    /** Opcode bits of the loads this test looks at. */
    private static final class OpcodeCheck {
        static final int CLASS_AND_SIZE = 0x1f;
        static final int LDX_H = Opcode.OpClass.LDX.bits() | Opcode.Size.H.bits();
    }

    @Test
    void aSignedFieldWhoseSizeChangedPoisonsItsLoadInsteadOfReadingItWrong() {
        CollectionSpec spec = compileText("narrow.c", """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
                struct sk_buff___narrow { short len; } __attribute__((preserve_access_index));
                long out;
                SEC("tc") int narrow(struct __sk_buff *ctx) {
                    struct sk_buff___narrow *skb = bpf_cast_to_kern_ctx(ctx);
                    out = skb->len;
                    return 0;
                }
                char LICENSE[] SEC("license") = "GPL";
                """);
        ProgramSpec p = spec.programs().get("narrow");
        CoreRelocation r = p.coreRelocations().getFirst();
        Instruction load = instructionAt(p, r);
        assertEquals(Opcode.OpClass.LDX, load.opClass());
        CoreFixup f = CoreResolver.of(spec.btf(), kernel).resolve(r.typeId(), r.accessString(), r.kind());
        assertFalse(f.poisoned(), "the field exists");
        assertTrue(f.accessResizeUnsafe());
        assertEquals(List.of(CoreFixup.poisonInstruction()), f.apply(load));
        assertTrue(f.poisonFor(load).reason().contains(kernel.sizeOf(KernelFields.field(kernel, "sk_buff", "len").typeId())
                + " bytes in the kernel but 2 in the program"), f.poisonFor(load).reason());
    }

    @Test
    void aPoisonedLoadImm64BecomesTwoPoisonCallsSoSlotsStayPut() {
        ProgramSpec p = program("kinds");
        CoreRelocation r = relocation(p, ENUMVAL_VALUE, "enum value pid_type___v1::JBCC_NO_SUCH_PIDTYPE___v1");
        Instruction ld = instructionAt(p, r);
        assertTrue(ld.isLoadImm64());
        CoreFixup f = CoreResolver.of(kinds.btf(), kernel).resolve(r.typeId(), r.accessString(), r.kind());
        assertEquals(List.of(CoreFixup.poisonInstruction(), CoreFixup.poisonInstruction()), f.apply(ld));
        assertEquals("which kernel enum pid_type does not have", f.poison().reason());
        assertEquals(0x85, CoreFixup.poisonInstruction().opcode());
        assertEquals(195896080, CoreFixup.poisonInstruction().imm());
    }

    @Test
    void anInstructionThatDoesNotHoldTheLocalValueIsRefused() {
        ProgramSpec p = program("kinds");
        CoreRelocation r = relocation(p, FIELD_BYTE_OFFSET, "field task_struct___v1.pid");
        Instruction mov = instructionAt(p, r);
        CoreFixup f = CoreResolver.of(kinds.btf(), kernel).resolve(r.typeId(), r.accessString(), r.kind());
        assertEquals(mov.imm(), f.localValue(), "clang put the local offset in the instruction");
        var e = assertThrows(CoreRelocationException.class, () -> f.apply(mov.withImm(mov.imm() + 1)));
        assertTrue(e.getMessage().contains("holds " + (mov.imm() + 1) + " where the program's BTF gives " + mov.imm()),
                e.getMessage());
        var jump = new Instruction(0x05, 0, 0, (short) 0, 0);
        assertThrows(CoreRelocationException.class, () -> f.apply(jump));
    }

    /** A split BTF over the kernel's with one more flavour of task_struct whose pid sits at {@code pidOffset}. */
    private static Btf kernelWithDuplicateTaskStruct(long pidBitOffset) {
        int pidType = KernelFields.field(kernel, "task_struct", "pid").typeId();
        var duplicate = new BtfType.Struct("task_struct___2", (int) kernel.sizeOf(KernelFields.struct(kernel, "task_struct")),
                List.of(new BtfType.Member("pid", pidType, (int) pidBitOffset, 0)));
        return Btf.of(kernel, List.of(duplicate));
    }

    @Test
    void candidatesThatAgreeAreFineAndCandidatesThatDisagreeAreAnError() {
        CoreRelocation r = relocation(program("kinds"), FIELD_BYTE_OFFSET, "field task_struct___v1.pid");
        int localTask = r.typeId();
        var pid = KernelFields.field(kernel, "task_struct", "pid");

        Btf agreeing = kernelWithDuplicateTaskStruct(pid.bitOffset());
        CoreResolver resolver = CoreResolver.of(kinds.btf(), agreeing);
        assertArrayEquals(new int[] {KernelFields.struct(kernel, "task_struct"), kernel.typeCount()},
                resolver.candidates(localTask), "task_struct and task_struct___2 are both candidates");
        assertEquals(pid.byteOffset(), resolver.resolve(r.typeId(), r.accessString(), r.kind()).targetValue());

        Btf disagreeing = kernelWithDuplicateTaskStruct(pid.bitOffset() + 64);
        var e = assertThrows(CoreRelocationException.class,
                () -> CoreResolver.of(kinds.btf(), disagreeing).resolve(r.typeId(), r.accessString(), r.kind()));
        assertTrue(e.getMessage().contains("is ambiguous"), e.getMessage());
        assertTrue(e.getMessage().contains("task_struct___2"), e.getMessage());
    }

    @Test
    void aFieldOnlyOneCandidateHasNarrowsTheCandidatesForLaterRelocations() {
        var pid = KernelFields.field(kernel, "task_struct", "pid");
        Btf target = kernelWithDuplicateTaskStruct(pid.bitOffset() + 64); // task_struct___2 has only pid, elsewhere
        ProgramSpec p = program("kinds");
        CoreRelocation tgid = relocation(p, FIELD_BYTE_OFFSET, "field task_struct___v1.tgid");
        CoreRelocation pidOffset = relocation(p, FIELD_BYTE_OFFSET, "field task_struct___v1.pid");
        CoreResolver resolver = CoreResolver.of(kinds.btf(), target);
        resolver.resolve(tgid.typeId(), tgid.accessString(), tgid.kind());
        assertArrayEquals(new int[] {KernelFields.struct(kernel, "task_struct")}, resolver.candidates(tgid.typeId()));
        assertEquals(pid.byteOffset(), resolver.resolve(pidOffset.typeId(), pidOffset.accessString(), pidOffset.kind()).targetValue());
    }

    @Test
    void malformedRelocationsAreFormatErrorsNamingTheType() {
        CoreRelocation r = relocation(program("kinds"), FIELD_BYTE_OFFSET, "field task_struct___v1.pid");
        CoreResolver resolver = CoreResolver.of(kinds.btf(), kernel);
        for (String bad : List.of("", ":0", "0:x", "0:99", "0:1:2:3", "0::1", "-1")) {
            var e = assertThrows(FormatException.class, () -> resolver.resolve(r.typeId(), bad, FIELD_BYTE_OFFSET), bad);
            assertTrue(e.getMessage().contains("task_struct___v1"), e.getMessage());
        }
        assertThrows(FormatException.class, () -> resolver.resolve(r.typeId(), "0:1", TYPE_SIZE));
        assertThrows(FormatException.class, () -> resolver.resolve(r.typeId(), "0", ENUMVAL_VALUE));
        assertThrows(FormatException.class, () -> resolver.resolve(kinds.btf().typeCount(), "0", TYPE_SIZE));
    }
}
