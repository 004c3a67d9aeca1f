package dev.jbcc.asm;

import dev.jbcc.asm.Opcode.AluOp;
import dev.jbcc.asm.Opcode.JumpOp;
import dev.jbcc.asm.Opcode.Mode;
import dev.jbcc.asm.Opcode.OpClass;
import dev.jbcc.asm.Opcode.Size;
import dev.jbcc.asm.Opcode.Source;

import static dev.jbcc.asm.Register.R0;

/**
 * Factories for single instructions, named after what they do; for tests and hand-written
 * programs. Jump and call distances are in slots relative to the next instruction, as the kernel
 * counts them.
 */
public final class Asm {
    private Asm() {}

    // ---- ALU ----

    /** {@code dst = imm} (64-bit, imm sign-extended). */
    public static Instruction mov64(Register dst, int imm) {
        return alu64(AluOp.MOV, dst, imm);
    }

    /** {@code dst = src} (64-bit). */
    public static Instruction mov64(Register dst, Register src) {
        return alu64(AluOp.MOV, dst, src);
    }

    /** {@code wdst = imm} (32-bit, upper half zeroed). */
    public static Instruction mov32(Register dst, int imm) {
        return alu32(AluOp.MOV, dst, imm);
    }

    public static Instruction mov32(Register dst, Register src) {
        return alu32(AluOp.MOV, dst, src);
    }

    public static Instruction add64(Register dst, int imm) {
        return alu64(AluOp.ADD, dst, imm);
    }

    public static Instruction add64(Register dst, Register src) {
        return alu64(AluOp.ADD, dst, src);
    }

    public static Instruction alu64(AluOp op, Register dst, int imm) {
        return new Instruction(Opcode.alu(OpClass.ALU64, op, Source.K), dst, R0, 0, imm);
    }

    public static Instruction alu64(AluOp op, Register dst, Register src) {
        return new Instruction(Opcode.alu(OpClass.ALU64, op, Source.X), dst, src, 0, 0);
    }

    public static Instruction alu32(AluOp op, Register dst, int imm) {
        return new Instruction(Opcode.alu(OpClass.ALU, op, Source.K), dst, R0, 0, imm);
    }

    public static Instruction alu32(AluOp op, Register dst, Register src) {
        return new Instruction(Opcode.alu(OpClass.ALU, op, Source.X), dst, src, 0, 0);
    }

    public static Instruction neg64(Register dst) {
        return new Instruction(Opcode.alu(OpClass.ALU64, AluOp.NEG, Source.K), dst, R0, 0, 0);
    }

    // ---- memory ----

    /** {@code dst = *(size *)(src + offset)}. */
    public static Instruction load(Size size, Register dst, Register src, int offset) {
        return new Instruction(Opcode.loadStore(OpClass.LDX, Mode.MEM, size), dst, src, offset, 0);
    }

    /** {@code *(size *)(dst + offset) = src}. */
    public static Instruction store(Size size, Register dst, int offset, Register src) {
        return new Instruction(Opcode.loadStore(OpClass.STX, Mode.MEM, size), dst, src, offset, 0);
    }

    /** {@code *(size *)(dst + offset) = imm}. */
    public static Instruction storeImm(Size size, Register dst, int offset, int imm) {
        return new Instruction(Opcode.loadStore(OpClass.ST, Mode.MEM, size), dst, R0, offset, imm);
    }

    /** {@code lock *(size *)(dst + offset) += src} (W or DW). */
    public static Instruction atomicAdd(Size size, Register dst, int offset, Register src) {
        return new Instruction(Opcode.loadStore(OpClass.STX, Mode.ATOMIC, size), dst, src, offset, AluOp.ADD.bits());
    }

    /** {@code dst = imm64} (two slots). */
    public static Instruction ldImm64(Register dst, long imm) {
        return new Instruction(Opcode.LD_IMM64, dst, R0, 0, imm);
    }

    /** {@code dst = map[fd]}: the address of the map with this fd. */
    public static Instruction ldMapFd(Register dst, int fd) {
        return new Instruction(Opcode.LD_IMM64, dst.number(), Opcode.PSEUDO_MAP_FD, (short) 0, fd & 0xffffffffL);
    }

    /** {@code dst = &map[fd][0] + offset}: an address in an array map's single value (global data). */
    public static Instruction ldMapValue(Register dst, int fd, int offset) {
        return new Instruction(Opcode.LD_IMM64, dst.number(), Opcode.PSEUDO_MAP_VALUE, (short) 0,
                ((long) offset << 32) | (fd & 0xffffffffL));
    }

    // ---- jumps and calls ----

    /** {@code goto pc+offset}. */
    public static Instruction ja(int offset) {
        return new Instruction(Opcode.jump(OpClass.JMP, JumpOp.JA, Source.K), R0, R0, offset, 0);
    }

    /** {@code if dst <op> imm goto pc+offset} (64-bit compare). */
    public static Instruction jump(JumpOp op, Register dst, int imm, int offset) {
        return new Instruction(Opcode.jump(OpClass.JMP, op, Source.K), dst, R0, offset, imm);
    }

    /** {@code if dst <op> src goto pc+offset} (64-bit compare). */
    public static Instruction jump(JumpOp op, Register dst, Register src, int offset) {
        return new Instruction(Opcode.jump(OpClass.JMP, op, Source.X), dst, src, offset, 0);
    }

    /** {@code call helper}. */
    public static Instruction call(Helper helper) {
        return new Instruction(Opcode.jump(OpClass.JMP, JumpOp.CALL, Source.K), R0, R0, 0, helper.id());
    }

    /** A bpf-to-bpf call {@code distance} slots after the next instruction. */
    public static Instruction callSubprogram(int distance) {
        return new Instruction(Opcode.jump(OpClass.JMP, JumpOp.CALL, Source.K), 0, Opcode.PSEUDO_CALL, (short) 0, distance);
    }

    /** A call to the kernel function with this BTF id. */
    public static Instruction callKfunc(int btfId) {
        return new Instruction(Opcode.jump(OpClass.JMP, JumpOp.CALL, Source.K), 0, Opcode.PSEUDO_KFUNC_CALL, (short) 0, btfId);
    }

    public static Instruction exit() {
        return new Instruction(Opcode.jump(OpClass.JMP, JumpOp.EXIT, Source.K), R0, R0, 0, 0);
    }
}
