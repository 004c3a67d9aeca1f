package dev.jbcc.btf.core;

import dev.jbcc.asm.Instruction;
import dev.jbcc.asm.Opcode.OpClass;
import dev.jbcc.asm.Opcode;
import dev.jbcc.btf.CoreReloKind;

import dev.jbcc.errors.CoreRelocationException;
import java.util.List;

/**
 * What one CO-RE relocation does to its instruction: replace {@code localValue} (what the compiler
 * computed from the program's own type definitions) by {@code targetValue} (what the target
 * kernel's types give), or poison the instruction.
 *
 * <p>Values by kind: byte offset and size of a field; 1/0 for the {@code *_EXISTS} kinds and
 * {@code TYPE_MATCHES}; signedness as 1/0; the two shifts that extract a bitfield from a u64; type
 * ids; type size; enumerator value.
 *
 * @param kind                   the relocation kind
 * @param subject                what the relocation is about, for messages: {@code field task_struct.pid},
 *                               {@code type struct task_struct___v1}, {@code enum value pid_type::PIDTYPE_PID}
 * @param localValue             the value the instruction must hold now (checked when {@code checkLocal})
 * @param targetValue            the value for the target
 * @param checkLocal             whether {@link #apply} checks that the instruction holds {@code localValue}
 *                               (not for bitfield offsets and sizes, where the compiler may pick another
 *                               load width, nor for type ids, which linking renumbers)
 * @param localAccessSize        for a field's byte offset: the local field's size in bytes, which a load
 *                               or store of it uses; 0 otherwise
 * @param targetAccessSize       the target field's size; a load or store is resized when it differs
 * @param accessResizeUnsafe     the sizes differ and the field is neither a pointer nor an unsigned
 *                               integer on both sides, so a load or store of it cannot be resized
 *                               (it is poisoned instead, except as {@code accessSignExtends} allows)
 * @param accessSignExtends      with {@code accessResizeUnsafe}: the field is a signed integer on both
 *                               sides and the resolver was asked for sign-extending loads
 *                               ({@link CoreResolver#withSignExtendingLoads()}), so a load of it becomes
 *                               a sign-extending load ({@code BPF_MEMSX}) of the kernel's size; stores
 *                               are still poisoned
 * @param poison                 why the relocation cannot be satisfied, or null
 */
public record CoreFixup(CoreReloKind kind, String subject, long localValue, long targetValue, boolean checkLocal,
                        int localAccessSize, int targetAccessSize, boolean accessResizeUnsafe,
                        boolean accessSignExtends, Poison poison) {
    /**
     * The helper id a poisoned instruction calls ({@code 0xbad2310}, "bad relo", as libbpf): no such
     * helper exists, so the verifier rejects the program with {@code invalid func unknown#195896080}
     * if, and only if, the instruction is reachable.
     */
    public static final int POISON_HELPER_ID = 0xbad2310;

    /** The {@code BPF_SIZE} bits of a load/store opcode. */
    private static final int SIZE_MASK = 0x18;
    /** The {@code BPF_MODE} bits of a load/store opcode. */
    private static final int MODE_MASK = 0xe0;

    /**
     * Why a relocation cannot be satisfied.
     *
     * @param reason a clause following {@link #subject()}: {@code which kernel struct task_struct does not have}
     * @param fix    what the program should do: {@code guard it with bpf_core_field_exists()}
     */
    public record Poison(String reason, String fix) {}

    public boolean poisoned() {
        return poison != null;
    }

    /** A {@code call} of the nonexistent helper {@link #POISON_HELPER_ID}. */
    public static Instruction poisonInstruction() {
        return new Instruction(OpClass.JMP.bits() | Opcode.JumpOp.CALL.bits(), 0, 0, (short) 0, POISON_HELPER_ID);
    }

    /**
     * Why {@link #apply} poisons {@code insn}, as {@link Poison}, or null if it patches it: the
     * relocation is unsatisfiable, or {@code insn} loads or stores a field whose size changed in a
     * way a resized access would get wrong.
     */
    public Poison poisonFor(Instruction insn) {
        if (poison != null) return poison;
        if (accessResizeUnsafe && isLoadStore(insn) && !(accessSignExtends && insn.opClass() == OpClass.LDX)) {
            return new Poison("which is " + targetAccessSize + " bytes in the kernel but " + localAccessSize
                    + " in the program, and only pointers and unsigned integers can be read with another width",
                    "declare the local field with the kernel's type, or read it with BPF_CORE_READ() into a variable of the kernel's size");
        }
        return null;
    }

    /**
     * The instruction with the target value in place: the immediate of an ALU instruction or
     * {@code ld_imm64}, the offset of a load or store (whose width follows the field's size).
     * A poisoned instruction becomes a call of {@link #POISON_HELPER_ID}; a poisoned
     * {@code ld_imm64} becomes two, so the program keeps its slot layout.
     *
     * @return one instruction, or two for a poisoned {@code ld_imm64}
     * @throws CoreRelocationException if the instruction is of a kind CO-RE cannot patch, does not hold
     *                                 {@code localValue}, or the target value does not fit it
     */
    public List<Instruction> apply(Instruction insn) {
        if (poisonFor(insn) != null) {
            Instruction call = poisonInstruction();
            return insn.isLoadImm64() ? List.of(call, call) : List.of(call);
        }
        OpClass opClass = insn.opClass();
        return switch (opClass) {
            case ALU, ALU64 -> {
                if (Opcode.Source.of(insn.opcode()) != Opcode.Source.K) {
                    throw mismatch(insn, "an ALU instruction with a register operand has no immediate to patch");
                }
                // The immediate field has 32 bits: compare those.
                if (checkLocal && (int) insn.imm() != (int) localValue) throw unexpected(insn, insn.imm());
                if (targetValue != (int) targetValue && targetValue != (targetValue & 0xffffffffL)) {
                    throw mismatch(insn, "the target value " + targetValue + " does not fit a 32-bit immediate");
                }
                yield List.of(insn.withImm((int) targetValue));
            }
            case LDX, ST, STX -> {
                if (checkLocal && insn.offset() != localValue) throw unexpected(insn, insn.offset());
                if (targetValue < Short.MIN_VALUE || targetValue > Short.MAX_VALUE) {
                    throw mismatch(insn, "the target offset " + targetValue + " does not fit the instruction's 16-bit offset");
                }
                Instruction out = insn.withOffset((int) targetValue);
                if (localAccessSize != targetAccessSize) {
                    int width = Opcode.Size.of(insn.opcode()).bytes();
                    if (width != localAccessSize) {
                        throw mismatch(insn, "the instruction accesses " + width + " bytes, but the field has "
                                + localAccessSize);
                    }
                    Opcode.Size size = switch (targetAccessSize) {
                        case 1, 2, 4, 8 -> Opcode.Size.ofBytes(targetAccessSize);
                        default -> throw mismatch(insn, "the kernel's field is " + targetAccessSize
                                + " bytes, which no single load or store moves");
                    };
                    int opcode = (insn.opcode() & ~SIZE_MASK) | size.bits();
                    if (accessSignExtends && opClass == OpClass.LDX) {
                        // A signed field: sign-extend a narrower kernel field to the width the program
                        // expects; BPF_MEMSX has no 8-byte form, and an 8-byte load needs no extension.
                        Opcode.Mode mode = size == Opcode.Size.DW ? Opcode.Mode.MEM : Opcode.Mode.MEMSX;
                        opcode = (opcode & ~MODE_MASK) | mode.bits();
                    }
                    out = new Instruction(opcode, out.dst(), out.src(), out.offset(), out.imm());
                }
                yield List.of(out);
            }
            case LD -> {
                if (!insn.isLoadImm64() || insn.src() != 0 || insn.offset() != 0) {
                    throw mismatch(insn, "only a plain ld_imm64 (no map or BTF pseudo source) can take a CO-RE value");
                }
                if (checkLocal && insn.imm() != localValue && !enum32LowBitsEqual(insn.imm())) {
                    throw unexpected(insn, insn.imm());
                }
                yield List.of(insn.withImm(targetValue));
            }
            case JMP, JMP32 -> throw mismatch(insn, "jumps and calls take no CO-RE value");
        };
    }

    /** A 32-bit enumerator may reach a 64-bit constant sign- or zero-extended, depending on the compiler. */
    private boolean enum32LowBitsEqual(long imm) {
        return kind == CoreReloKind.ENUMVAL_VALUE && (int) imm == (int) localValue
                && (imm == (int) imm || imm == (imm & 0xffffffffL));
    }

    private static boolean isLoadStore(Instruction insn) {
        OpClass c = insn.opClass();
        return c == OpClass.LDX || c == OpClass.ST || c == OpClass.STX;
    }

    private CoreRelocationException unexpected(Instruction insn, long found) {
        return new CoreRelocationException(kind + " relocation of " + subject + ": the instruction '" + insn + "' holds "
                + found + " where the program's BTF gives " + localValue
                + "; the object's .BTF.ext does not match its code (was it rewritten after compiling?)");
    }

    private CoreRelocationException mismatch(Instruction insn, String why) {
        return new CoreRelocationException(kind + " relocation of " + subject + " cannot patch '" + insn + "': " + why);
    }
}
