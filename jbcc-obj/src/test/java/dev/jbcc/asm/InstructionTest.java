package dev.jbcc.asm;

import dev.jbcc.asm.Opcode.AluOp;
import dev.jbcc.asm.Opcode.JumpOp;
import dev.jbcc.asm.Opcode.Size;
import dev.jbcc.elf.ClangBpf;
import dev.jbcc.elf.ElfFile;
import dev.jbcc.elf.Section;
import dev.jbcc.errors.FormatException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;

import static dev.jbcc.asm.Register.*;
import static org.junit.jupiter.api.Assertions.*;

class InstructionTest {

    @Test
    void encodesPerTheIsa() {
        // Documentation/bpf/standardization/instruction-set.rst: opcode, dst|src<<4, off (LE16), imm (LE32).
        assertEquals("b701000005000000", hex(Asm.mov64(R1, 5).encodeToBytes(ByteOrder.LITTLE_ENDIAN)));
        assertEquals("6121fcff00000000", hex(Asm.load(Size.W, R1, R2, -4).encodeToBytes(ByteOrder.LITTLE_ENDIAN)));
        assertEquals("8500000001000000", hex(Asm.call(Helper.MAP_LOOKUP_ELEM).encodeToBytes(ByteOrder.LITTLE_ENDIAN)));
        assertEquals("9500000000000000", hex(Asm.exit().encodeToBytes(ByteOrder.LITTLE_ENDIAN)));
        // Big endian swaps the register nibbles and the multi-byte fields.
        assertEquals("6112fffc00000000", hex(Asm.load(Size.W, R1, R2, -4).encodeToBytes(ByteOrder.BIG_ENDIAN)));
        // ld_imm64: low half in the first slot's imm, high half in the second's, rest of slot 2 zero.
        assertEquals("1801000078563412" + "0000000021436587",
                hex(Asm.ldImm64(R1, 0x8765432112345678L).encodeToBytes(ByteOrder.LITTLE_ENDIAN)));
        assertEquals("1811000005000000" + "0000000000000000", hex(Asm.ldMapFd(R1, 5).encodeToBytes(ByteOrder.LITTLE_ENDIAN)));
    }

    @Test
    void decodeInvertsEncodeInBothByteOrders() {
        List<Instruction> all = List.of(Asm.mov64(R0, 0), Asm.mov64(R6, R1), Asm.mov32(R2, -1),
                Asm.alu64(AluOp.LSH, R3, 32), Asm.alu32(AluOp.XOR, R4, R5), Asm.neg64(R7),
                Asm.load(Size.DW, R8, R10, -16), Asm.store(Size.B, R10, -1, R9), Asm.storeImm(Size.H, R10, -2, 7),
                Asm.atomicAdd(Size.DW, R1, 8, R2), Asm.ldImm64(R1, -1L), Asm.ldMapFd(R1, 42), Asm.ldMapValue(R2, 3, 64),
                Asm.ja(-3), Asm.jump(JumpOp.JSGT, R1, R2, 5), Asm.jump(JumpOp.JEQ, R0, 0, 1),
                Asm.call(Helper.RINGBUF_OUTPUT), Asm.callSubprogram(12), Asm.callKfunc(1234), Asm.exit());
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            Instructions insns = Instructions.of(all);
            byte[] bytes = insns.encode(order);
            assertEquals(insns.slotCount() * 8L, bytes.length);
            assertEquals(insns, Instructions.decode(MemorySegment.ofArray(bytes), order), order.toString());
        }
    }

    @Test
    void printsLikeTheVerifierLog() {
        assertEquals("r1 = *(u32 *)(r2 +4)", Asm.load(Size.W, R1, R2, 4).toString());
        assertEquals("r0 = *(u8 *)(r10 -1)", Asm.load(Size.B, R0, R10, -1).toString());
        assertEquals("*(u64 *)(r10 -8) = r1", Asm.store(Size.DW, R10, -8, R1).toString());
        assertEquals("*(u16 *)(r10 -2) = 7", Asm.storeImm(Size.H, R10, -2, 7).toString());
        assertEquals("lock *(u64 *)(r1 +8) += r2", Asm.atomicAdd(Size.DW, R1, 8, R2).toString());
        assertEquals("call bpf_map_lookup_elem#1", Asm.call(Helper.MAP_LOOKUP_ELEM).toString());
        assertEquals("call bpf_trace_printk#6", Asm.call(Helper.TRACE_PRINTK).toString());
        assertEquals("call pc+12", Asm.callSubprogram(12).toString());
        assertEquals("call kernel-function#1234", Asm.callKfunc(1234).toString());
        assertEquals("exit", Asm.exit().toString());
        assertEquals("r0 = 0", Asm.mov64(R0, 0).toString());
        assertEquals("r6 = r1", Asm.mov64(R6, R1).toString());
        assertEquals("w2 = -1", Asm.mov32(R2, -1).toString());
        assertEquals("r2 += -8", Asm.add64(R2, -8).toString());
        assertEquals("w4 ^= w5", Asm.alu32(AluOp.XOR, R4, R5).toString());
        assertEquals("r1 s>>= 32", Asm.alu64(AluOp.ARSH, R1, 32).toString());
        assertEquals("r7 = -r7", Asm.neg64(R7).toString());
        assertEquals("goto pc-3", Asm.ja(-3).toString());
        assertEquals("if r1 s> r2 goto pc+5", Asm.jump(JumpOp.JSGT, R1, R2, 5).toString());
        assertEquals("if r0 == 0x0 goto pc+1", Asm.jump(JumpOp.JEQ, R0, 0, 1).toString());
        assertEquals("if r3 > 0xff goto pc+2", Asm.jump(JumpOp.JGT, R3, 255, 2).toString());
        assertEquals("r1 = map[fd:42]", Asm.ldMapFd(R1, 42).toString());
        assertEquals("r2 = map[fd:3][0]+64", Asm.ldMapValue(R2, 3, 64).toString());
        assertEquals("r1 = 0x8765432112345678", Asm.ldImm64(R1, 0x8765432112345678L).toString());
        // Signed division and sign-extending moves reuse opcodes with offset 1 and 8/16/32 (cpu v4).
        assertEquals("r1 s/= r2", Asm.alu64(AluOp.DIV, R1, R2).withOffset(1).toString());
        assertEquals("r1 = (s8)r2", Asm.mov64(R1, R2).withOffset(8).toString());
        assertEquals("r1 = be16 r1", new Instruction(0xdc, 1, 0, (short) 0, 16).toString());
        assertEquals("r1 = bswap32 r1", new Instruction(0xd7, 1, 0, (short) 0, 32).toString());
        assertEquals("r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)",
                Asm.atomicAdd(Size.DW, R1, 0, R2).withImm(0x01).toString());
        assertEquals("r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)",
                Asm.atomicAdd(Size.DW, R1, 0, R2).withImm(Opcode.ATOMIC_CMPXCHG).toString());
        assertEquals("BUG_ff", new Instruction(0xff, 0, 0, (short) 0, 0).toString());
    }

    @Test
    void clangObjectCodeRoundTripsAndDisassembles() {
        byte[] object = ClangBpf.compile("""
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, long); } m SEC(".maps");
                struct pkt { unsigned char a; unsigned short b; unsigned int c; long d; };
                SEC("socket") int f(struct pkt *p) {
                    int k = 0;
                    long *v = bpf_map_lookup_elem(&m, &k);
                    if (!v) return 0;
                    __sync_fetch_and_add(v, p->c);
                    long old = __sync_fetch_and_add(v, 1);
                    long x = (signed char) p->a;
                    x /= (long) p->d;
                    return x + old + __builtin_bswap32(p->c) + p->b;
                }
                """, "-mcpu=v4");
        ElfFile elf = ElfFile.of(object);
        Section code = elf.section("socket").orElseThrow();
        MemorySegment bytes = elf.contents(code);
        Instructions insns = Instructions.decode(bytes, elf.byteOrder());
        assertArrayEquals(bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), insns.encode(elf.byteOrder()));
        String listing = insns.disassemble();
        assertFalse(listing.contains("BUG_"), listing);
        assertTrue(listing.contains("call bpf_map_lookup_elem#1"), listing);
        assertTrue(listing.contains("r1 = map[") || listing.contains("r1 = 0x0"), listing);
        assertTrue(listing.contains("lock *(u64 *)"), listing);
        assertTrue(listing.contains("atomic64_fetch_add("), listing);
        assertTrue(listing.contains(" s/= "), listing);
        assertTrue(listing.contains("(s8 *)") || listing.contains("(s8)"), listing);
        assertTrue(listing.contains("bswap32"), listing);
        assertTrue(insns.get(insns.size() - 1).isExit());

        // Slot bookkeeping: each ld_imm64 shifts later instructions by one slot.
        int wide = 0;
        for (int i = 0; i < insns.size(); i++) {
            assertEquals(i + wide, insns.slotOf(i));
            assertEquals(i, insns.indexOfSlot(i + wide));
            assertEquals(i, insns.indexOfByteOffset(8L * (i + wide)));
            if (insns.get(i).isLoadImm64()) {
                wide++;
                assertEquals(-1, insns.indexOfSlot(i + wide), "second half of ld_imm64 starts no instruction");
            }
        }
        assertTrue(wide >= 1);
        assertEquals(bytes.byteSize() / 8, insns.slotCount());
        // Every conditional jump in clang's output lands on an instruction.
        for (int i = 0; i < insns.size(); i++) {
            if (insns.get(i).isJumpWithOffset()) assertTrue(insns.targetOf(i) >= 0, "jump at " + i);
        }
    }

    @Test
    void instructionsCarryReferencesAndSymbols() {
        Instructions insns = Instructions.builder()
                .symbol("main")
                .add(Asm.ldMapFd(R1, 0), new Reference.MapReference("events"))
                .add(Asm.callSubprogram(-1), new Reference.FunctionReference("sub"))
                .add(Asm.exit())
                .symbol("sub")
                .add(Asm.mov64(R0, 1))
                .add(Asm.exit())
                .build();
        assertEquals(5, insns.size());
        assertEquals(6, insns.slotCount());
        assertEquals(new Reference.MapReference("events"), insns.reference(0));
        assertNull(insns.reference(2));
        assertEquals(3, insns.indexOfSymbol("sub"));
        assertEquals(4, insns.slotOf(3));
        assertEquals(-1, insns.indexOfSymbol("nope"));
        Instructions patched = insns.withInstruction(1, Asm.callSubprogram(1));
        assertEquals(3, patched.targetOf(1), "call pc+1 from slot 2 lands on slot 4 = index 3");
        assertEquals(new Reference.FunctionReference("sub"), patched.reference(1));
        assertNotEquals(insns, patched);
        assertEquals(insns, insns.toBuilder().build());
        String listing = insns.disassemble();
        assertTrue(listing.contains("main:\n   0: (18) r1 = map[fd:0] ; map events\n"), listing);
        assertTrue(listing.contains("sub:\n   4: (b7) r0 = 1\n"), listing);
    }

    @Test
    void helperTable() {
        assertEquals(1, Helper.MAP_LOOKUP_ELEM.id());
        assertEquals("bpf_map_lookup_elem", Helper.MAP_LOOKUP_ELEM.cName());
        assertSame(Helper.LOOP, Helper.byId(Helper.LOOP.id()));
        for (Helper h : Helper.values()) assertSame(h, Helper.byId(h.id()));
        assertNull(Helper.byId(100_000));
    }

    /** The generated table agrees with the running kernel's {@code enum bpf_func_id} (read from its BTF). */
    @Test
    // jbcc-core's @HostKernelOnly, which this module cannot reach: the newest helpers in jbcc's table,
    // e.g. cgrp_storage_get (id 210), came in Linux 6.2, after the VM suite's 6.1.
    @Tag("host-only")
    void helperTableMatchesRunningKernel() {
        dev.jbcc.btf.Btf kernel = dev.jbcc.btf.Btf.kernel();
        dev.jbcc.btf.BtfType.Enum funcIds = kernel.find("bpf_func_id", dev.jbcc.btf.BtfType.Enum.class).orElseThrow();
        java.util.Map<Long, String> byId = new java.util.HashMap<>();
        for (var v : funcIds.values()) {
            if (v.name().startsWith("BPF_FUNC_")) byId.put(v.value(), v.name().substring("BPF_FUNC_".length()));
        }
        for (Helper h : Helper.values()) {
            assertEquals(h.name().toLowerCase(java.util.Locale.ROOT), byId.get((long) h.id()), "helper id " + h.id());
        }
    }

    @Test
    void malformedCode() {
        FormatException odd = assertThrows(FormatException.class,
                () -> Instructions.decode(MemorySegment.ofArray(new byte[12]), ByteOrder.LITTLE_ENDIAN));
        assertTrue(odd.getMessage().contains("12 bytes"), odd.getMessage());
        byte[] half = new byte[8];
        half[0] = 0x18;
        FormatException cut = assertThrows(FormatException.class,
                () -> Instructions.decode(MemorySegment.ofArray(half), ByteOrder.LITTLE_ENDIAN));
        assertTrue(cut.getMessage().contains("ld_imm64 at byte 0"), cut.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Instruction(0xb7, 1, 0, (short) 0, 1L << 40));
        assertThrows(IllegalArgumentException.class, () -> Asm.ja(1 << 16));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
