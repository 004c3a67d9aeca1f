package dev.jbcc.asm;

import dev.jbcc.asm.Opcode.AluOp;
import dev.jbcc.asm.Opcode.JumpOp;
import dev.jbcc.asm.Opcode.Mode;
import dev.jbcc.asm.Opcode.OpClass;
import dev.jbcc.asm.Opcode.Size;
import dev.jbcc.asm.Opcode.Source;
import dev.jbcc.errors.FormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One eBPF instruction ({@code struct bpf_insn}). A {@code ld_imm64} (opcode 0x18), which the kernel
 * encodes as two 8-byte slots, is one instruction here whose {@code imm} holds the whole 64-bit
 * constant (low half from the first slot, high half from the second).
 *
 * @param opcode the opcode byte (0-255): class, operation/size/mode and source bits, see {@link Opcode}
 * @param dst    destination register number (0-15; the kernel accepts 0-10)
 * @param src    source register number (0-15), or a pseudo kind for {@code ld_imm64} and {@code call}
 * @param offset the signed 16-bit offset: jump distance in slots, or memory displacement
 * @param imm    the immediate: a sign-extended 32-bit value, or the 64-bit constant of a {@code ld_imm64}
 */
public record Instruction(int opcode, int dst, int src, short offset, long imm) {
    /** Bytes in one instruction slot. */
    public static final int SLOT_SIZE = 8;

    private static final ValueLayout.OfShort S16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt S32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt S32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    public Instruction {
        if (opcode < 0 || opcode > 0xff) throw new IllegalArgumentException("opcode " + opcode + " is not a byte");
        if (dst < 0 || dst > 15) throw new IllegalArgumentException("dst register " + dst + " does not fit 4 bits");
        if (src < 0 || src > 15) throw new IllegalArgumentException("src register " + src + " does not fit 4 bits");
        if (opcode != Opcode.LD_IMM64 && imm != (int) imm) {
            throw new IllegalArgumentException("imm " + imm + " of opcode 0x" + Integer.toHexString(opcode)
                    + " does not fit 32 bits (only ld_imm64 takes a 64-bit constant)");
        }
    }

    public Instruction(int opcode, Register dst, Register src, int offset, long imm) {
        this(opcode, dst.number(), src.number(), checkedOffset(offset), imm);
    }

    // ---- decoding and encoding ----

    /**
     * Decodes the instruction at {@code byteOffset} in {@code code}, reading a second slot for
     * {@code ld_imm64}. {@code order} is the object's byte order: it also decides how the two
     * register nibbles share their byte (dst low on little endian, high on big endian).
     */
    public static Instruction decode(MemorySegment code, long byteOffset, ByteOrder order) {
        if (byteOffset + SLOT_SIZE > code.byteSize()) {
            throw new FormatException("instruction at byte " + byteOffset + " is cut off: the code has "
                    + code.byteSize() + " bytes, not a multiple of 8");
        }
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        int opcode = code.get(ValueLayout.JAVA_BYTE, byteOffset) & 0xff;
        int regs = code.get(ValueLayout.JAVA_BYTE, byteOffset + 1) & 0xff;
        int dst = little ? regs & 0xf : regs >>> 4;
        int src = little ? regs >>> 4 : regs & 0xf;
        short off = code.get(little ? S16_LE : S16_BE, byteOffset + 2);
        long imm = code.get(little ? S32_LE : S32_BE, byteOffset + 4);
        if (opcode == Opcode.LD_IMM64) {
            if (byteOffset + 2 * SLOT_SIZE > code.byteSize()) {
                throw new FormatException("ld_imm64 at byte " + byteOffset + " lacks its second slot");
            }
            long high = code.get(little ? S32_LE : S32_BE, byteOffset + SLOT_SIZE + 4);
            imm = (high << 32) | (imm & 0xffffffffL);
        }
        return new Instruction(opcode, dst, src, off, imm);
    }

    /** Decodes a little-endian instruction. */
    public static Instruction decode(MemorySegment code, long byteOffset) {
        return decode(code, byteOffset, ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes this instruction's {@link #slots()} slots at {@code byteOffset}; returns the bytes written. */
    public int encode(MemorySegment code, long byteOffset, ByteOrder order) {
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        code.set(ValueLayout.JAVA_BYTE, byteOffset, (byte) opcode);
        code.set(ValueLayout.JAVA_BYTE, byteOffset + 1, (byte) (little ? (src << 4) | dst : (dst << 4) | src));
        code.set(little ? S16_LE : S16_BE, byteOffset + 2, offset);
        code.set(little ? S32_LE : S32_BE, byteOffset + 4, (int) imm);
        if (!isLoadImm64()) return SLOT_SIZE;
        // The second slot is all zero except its imm, the constant's high half.
        code.asSlice(byteOffset + SLOT_SIZE, 4).fill((byte) 0);
        code.set(little ? S32_LE : S32_BE, byteOffset + SLOT_SIZE + 4, (int) (imm >>> 32));
        return 2 * SLOT_SIZE;
    }

    public int encode(MemorySegment code, long byteOffset) {
        return encode(code, byteOffset, ByteOrder.LITTLE_ENDIAN);
    }

    /** This instruction's 8 or 16 bytes. */
    public byte[] encodeToBytes(ByteOrder order) {
        byte[] bytes = new byte[slots() * SLOT_SIZE];
        encode(MemorySegment.ofArray(bytes), 0, order);
        return bytes;
    }

    // ---- classification ----

    public OpClass opClass() {
        return OpClass.of(opcode);
    }

    /** Number of 8-byte slots: 2 for {@code ld_imm64}, else 1. */
    public int slots() {
        return isLoadImm64() ? 2 : 1;
    }

    public boolean isLoadImm64() {
        return opcode == Opcode.LD_IMM64;
    }

    /** A helper call: {@code call} with src 0 and the helper id in imm. */
    public boolean isHelperCall() {
        return opcode == (OpClass.JMP.bits() | JumpOp.CALL.bits()) && src == 0;
    }

    /** A bpf-to-bpf call: imm is the callee's distance in slots from the next instruction. */
    public boolean isPseudoCall() {
        return opcode == (OpClass.JMP.bits() | JumpOp.CALL.bits()) && src == Opcode.PSEUDO_CALL;
    }

    /** A kernel function call: imm is the kfunc's BTF id. */
    public boolean isKfuncCall() {
        return opcode == (OpClass.JMP.bits() | JumpOp.CALL.bits()) && src == Opcode.PSEUDO_KFUNC_CALL;
    }

    public boolean isCall() {
        return opcode == (OpClass.JMP.bits() | JumpOp.CALL.bits());
    }

    public boolean isExit() {
        return opcode == (OpClass.JMP.bits() | JumpOp.EXIT.bits());
    }

    /** A {@code ld_imm64} loading a subprogram's address (callbacks such as bpf_loop's). */
    public boolean isPseudoFunc() {
        return isLoadImm64() && src == Opcode.PSEUDO_FUNC;
    }

    /**
     * True for a jump whose target is {@code offset} slots after the next instruction (conditional
     * jumps, {@code goto}, {@code may_goto}); {@code gotol} (JMP32|JA) keeps its distance in imm instead.
     */
    public boolean isJumpWithOffset() {
        OpClass c = opClass();
        if (!c.isJump()) return false;
        JumpOp op = JumpOp.of(opcode);
        if (op == JumpOp.CALL || op == JumpOp.EXIT) return false;
        return !(c == OpClass.JMP32 && op == JumpOp.JA);
    }

    // ---- copiers ----

    public Instruction withImm(long imm) {
        return new Instruction(opcode, dst, src, offset, imm);
    }

    public Instruction withSrc(int src) {
        return new Instruction(opcode, dst, src, offset, imm);
    }

    public Instruction withOffset(int offset) {
        return new Instruction(opcode, dst, src, checkedOffset(offset), imm);
    }

    // ---- disassembly ----

    /** The instruction as the kernel's verifier log prints it, e.g. {@code r1 = *(u32 *)(r2 +4)}. */
    @Override
    public String toString() {
        OpClass c = opClass();
        return switch (c) {
            case ALU, ALU64 -> alu(c);
            case JMP, JMP32 -> jump(c);
            case LDX -> ldx();
            case STX -> stx();
            case ST -> st();
            case LD -> ld();
        };
    }

    private String alu(OpClass c) {
        char r = c == OpClass.ALU ? 'w' : 'r';
        AluOp op = AluOp.of(opcode);
        if (op == null) return unknown();
        if (op == AluOp.END) {
            if (c == OpClass.ALU64) return "r" + dst + " = bswap" + imm + " r" + dst;
            return "r" + dst + " = " + (Source.of(opcode) == Source.K ? "le" : "be") + imm + " r" + dst;
        }
        if (op == AluOp.NEG) return r + "" + dst + " = -" + r + dst;
        String operator = op.operator();
        // offset 1 turns DIV and MOD into their signed forms; MOV with offset 8/16/32 sign-extends.
        if (offset == 1 && (op == AluOp.DIV || op == AluOp.MOD)) operator = "s" + operator;
        if (Source.of(opcode) == Source.X) {
            String cast = "";
            if (op == AluOp.MOV && (offset == 8 || offset == 16 || offset == 32)) cast = "(s" + offset + ")";
            return r + "" + dst + " " + operator + " " + cast + r + src;
        }
        return r + "" + dst + " " + operator + " " + (int) imm;
    }

    private String jump(OpClass c) {
        JumpOp op = JumpOp.of(opcode);
        if (op == null) return unknown();
        char r = c == OpClass.JMP32 ? 'w' : 'r';
        if (op == JumpOp.CALL) {
            if (src == Opcode.PSEUDO_CALL) return "call pc" + signed((int) imm);
            if (src == Opcode.PSEUDO_KFUNC_CALL) return "call kernel-function#" + imm;
            Helper helper = Helper.byId((int) imm);
            return "call " + (helper == null ? "unknown" : helper.cName()) + "#" + imm;
        }
        if (op == JumpOp.EXIT) return "exit";
        if (op == JumpOp.JA) return c == OpClass.JMP32 ? "gotol pc" + signed((int) imm) : "goto pc" + signed(offset);
        if (op == JumpOp.JCOND) return "may_goto pc" + signed(offset);
        String right = Source.of(opcode) == Source.X ? r + "" + src : "0x" + Integer.toHexString((int) imm);
        return "if " + r + dst + " " + op.operator() + " " + right + " goto pc" + signed(offset);
    }

    private String ldx() {
        Mode mode = Mode.of(opcode);
        if (mode != Mode.MEM && mode != Mode.MEMSX) return unknown();
        return "r" + dst + " = *(" + Size.of(opcode).cType(mode == Mode.MEMSX) + " *)(r" + src + " " + signed(offset) + ")";
    }

    private String stx() {
        Mode mode = Mode.of(opcode);
        Size size = Size.of(opcode);
        String mem = "(" + size.cType(false) + " *)(r" + dst + " " + signed(offset) + ")";
        if (mode == Mode.MEM) return "*" + mem + " = r" + src;
        if (mode != Mode.ATOMIC) return unknown();
        String width = size == Size.DW ? "64" : "";
        int op = (int) imm;
        switch (op) {
            case 0x00, 0x40, 0x50, 0xa0 -> {
                return "lock *" + mem + " " + AluOp.of(op).operator() + " r" + src;
            }
            case 0x01, 0x41, 0x51, 0xa1 -> {
                String name = AluOp.of(op).name().toLowerCase(java.util.Locale.ROOT);
                return "r" + src + " = atomic" + width + "_fetch_" + name + "(" + mem + ", r" + src + ")";
            }
            case Opcode.ATOMIC_CMPXCHG -> {
                return "r0 = atomic" + width + "_cmpxchg(" + mem + ", r0, r" + src + ")";
            }
            case Opcode.ATOMIC_XCHG -> {
                return "r" + src + " = atomic" + width + "_xchg(" + mem + ", r" + src + ")";
            }
            case Opcode.ATOMIC_LOAD_ACQUIRE -> {
                return "r" + dst + " = load_acquire((" + size.cType(false) + " *)(r" + src + " " + signed(offset) + "))";
            }
            case Opcode.ATOMIC_STORE_RELEASE -> {
                return "store_release(" + mem + ", r" + src + ")";
            }
            default -> {
                return unknown();
            }
        }
    }

    private String st() {
        // ST|ATOMIC is the verifier-inserted speculation barrier.
        if (Mode.of(opcode) == Mode.ATOMIC) return "nospec";
        if (Mode.of(opcode) != Mode.MEM) return unknown();
        return "*(" + Size.of(opcode).cType(false) + " *)(r" + dst + " " + signed(offset) + ") = " + (int) imm;
    }

    private String ld() {
        Mode mode = Mode.of(opcode);
        Size size = Size.of(opcode);
        if (mode == Mode.ABS) return "r0 = *(" + size.cType(false) + " *)skb[" + (int) imm + "]";
        if (mode == Mode.IND) return "r0 = *(" + size.cType(false) + " *)skb[r" + src + " + " + (int) imm + "]";
        if (!isLoadImm64()) return unknown();
        int low = (int) imm;
        int high = (int) (imm >>> 32);
        String value = switch (src) {
            case Opcode.PSEUDO_MAP_FD -> "map[fd:" + low + "]";
            case Opcode.PSEUDO_MAP_VALUE -> "map[fd:" + low + "][0]+" + high;
            case Opcode.PSEUDO_MAP_IDX -> "map[idx:" + low + "]";
            case Opcode.PSEUDO_MAP_IDX_VALUE -> "map[idx:" + low + "][0]+" + high;
            case Opcode.PSEUDO_BTF_ID -> "btf_id[" + low + "]";
            case Opcode.PSEUDO_FUNC -> "subprog[" + signed(low) + "]";
            default -> "0x" + Long.toHexString(imm);
        };
        return "r" + dst + " = " + value;
    }

    private String unknown() {
        return String.format("BUG_%02x", opcode);
    }

    private static String signed(int value) {
        return value >= 0 ? "+" + value : Integer.toString(value);
    }

    private static short checkedOffset(int offset) {
        if (offset != (short) offset) throw new IllegalArgumentException("offset " + offset + " does not fit 16 bits");
        return (short) offset;
    }
}
