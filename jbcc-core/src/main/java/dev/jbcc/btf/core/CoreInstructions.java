package dev.jbcc.btf.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes {@link CoreResult}s into BPF code and explains verifier rejections of poisoned code.
 *
 * <p>The code is raw instructions ({@code struct bpf_insn}, 8 bytes a slot: opcode, registers,
 * 16-bit offset, 32-bit immediate; a 64-bit immediate load takes two slots) in a segment or array
 * the loader passes in, in the object's byte order. Working on bytes keeps CO-RE independent of
 * any instruction model: a loader holding decoded instructions encodes the program, applies the
 * fixups and decodes it again, or applies each fixup to the one or two slots involved.
 *
 * <p>What can be patched, as with libbpf: the immediate of an ALU/ALU64 instruction with an
 * immediate operand ({@code r1 = 8}, {@code r1 += 8}); the offset of a {@code ldx}, {@code st} or
 * {@code stx}, whose memory size also changes (1, 2, 4, 8 bytes) when the kernel's field has
 * another size and its type allows it; the 64-bit immediate of {@code ld_imm64}. Before patching,
 * the instruction must hold the value computed on the object's BTF, else the relocation does not
 * belong to it and an exception is thrown.
 *
 * <p><b>Poisoning.</b> A relocation that needs a missing field, type or enumerator replaces its
 * instruction (both slots of an {@code ld_imm64}) with {@code call 0xbad2310}, a helper that does
 * not exist. The verifier only complains ({@code invalid func unknown#195896080}) if the
 * instruction is reachable, so code guarded by {@code bpf_core_field_exists()} and the like still
 * loads; {@link #explainPoison} turns the complaint into a message naming the field. Slots never
 * move: a poisoned {@code ld_imm64} becomes two calls in its two slots (so a decoded instruction
 * list has one entry more there, while jump offsets and func/line info stay valid).
 */
public final class CoreInstructions {
    /** The invalid helper id poisoned instructions call; libbpf's "bad relo" (195896080). */
    public static final int POISON_HELPER_ID = 0xbad2310;

    static final int SLOT_SIZE = 8;

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    // Opcode fields (uapi/linux/bpf_common.h, bpf.h).
    private static final int CLASS_LD = 0x00;
    private static final int CLASS_LDX = 0x01;
    private static final int CLASS_ST = 0x02;
    private static final int CLASS_STX = 0x03;
    private static final int CLASS_ALU = 0x04;
    private static final int CLASS_ALU64 = 0x07;
    private static final int SOURCE_REGISTER = 0x08;
    private static final int MODE_MASK = 0xe0;
    private static final int MODE_MEM = 0x60;
    private static final int MODE_MEMSX = 0x80;
    private static final int SIZE_MASK = 0x18;
    private static final int LD_IMM64 = 0x18; // BPF_LD | BPF_IMM | BPF_DW
    private static final int CALL = 0x85;     // BPF_JMP | BPF_CALL

    private CoreInstructions() {}

    /** {@link #apply(MemorySegment, int, ByteOrder, CoreResult)} on little-endian code in an array. */
    public static CoreFixup apply(byte[] code, int slot, CoreResult result) {
        return apply(MemorySegment.ofArray(code), slot, ByteOrder.LITTLE_ENDIAN, result);
    }

    /**
     * Writes {@code result} into the instruction at {@code slot} of {@code code}, or poisons it.
     *
     * @param order the code's byte order (the object's; little endian on x86 and arm64)
     * @throws CoreRelocationException if the instruction cannot carry this relocation or does not
     *                                 hold the value the compiler computed (the relocation belongs
     *                                 to another instruction), or the new value does not fit
     */
    public static CoreFixup apply(MemorySegment code, int slot, ByteOrder order, CoreResult result) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(order, "order");
        Objects.requireNonNull(result, "result");
        Insn insn = new Insn(code, slot, order);
        if (slot < 0 || (slot + 1L) * SLOT_SIZE > code.byteSize()) {
            throw fail(slot, result, "the slot is outside the code (" + code.byteSize() / SLOT_SIZE + " slots)");
        }
        if (result.poisoned()) {
            poison(code, slot, order);
            return new CoreFixup(slot, result, result.reason() != null ? result.reason() : "no match in the kernel");
        }
        int op = insn.opcode();
        long want = result.localValue();
        long value = result.targetValue();
        switch (op & 0x07) {
            case CLASS_ALU, CLASS_ALU64 -> {
                boolean alu64 = (op & 0x07) == CLASS_ALU64;
                if ((op & SOURCE_REGISTER) != 0) {
                    throw fail(slot, result, "the instruction (opcode 0x" + Integer.toHexString(op)
                            + ") takes a register operand, not an immediate");
                }
                int imm = insn.imm();
                if (result.checkLocalValue() && !(fitsImm(want, alu64) && (int) want == imm)) {
                    throw unexpected(slot, result, imm, want);
                }
                if (!fitsImm(value, alu64)) {
                    throw fail(slot, result, "the kernel's value " + value + " does not fit the instruction's "
                            + (alu64 ? "sign-extended " : "") + "32-bit immediate");
                }
                insn.imm((int) value);
            }
            case CLASS_LDX, CLASS_ST, CLASS_STX -> {
                short off = insn.off();
                if (result.checkLocalValue() && off != want) {
                    throw unexpected(slot, result, off, want);
                }
                if (value < 0 || value > Short.MAX_VALUE) {
                    throw fail(slot, result, "the kernel's offset " + value + " does not fit a 16-bit instruction offset;"
                            + " read the field with bpf_core_read() instead");
                }
                if (result.localSize() != result.targetSize()) {
                    String problem = resize(insn, op, result);
                    if (problem != null) {
                        poison(code, slot, order);
                        return new CoreFixup(slot, result, problem);
                    }
                }
                insn.off((short) value);
            }
            case CLASS_LD -> {
                if (op != LD_IMM64) {
                    throw fail(slot, result, "the instruction (opcode 0x" + Integer.toHexString(op)
                            + ") is a legacy packet load, not a 64-bit immediate load");
                }
                if ((slot + 2L) * SLOT_SIZE > code.byteSize()) {
                    throw fail(slot, result, "the 64-bit immediate load has no second slot");
                }
                Insn next = new Insn(code, slot + 1, order);
                if (insn.src() != 0 || insn.off() != 0 || next.opcode() != 0 || next.regs() != 0 || next.off() != 0) {
                    throw fail(slot, result, "the 64-bit immediate load is not a plain constant (it refers to a map,"
                            + " function or variable)");
                }
                long imm = Integer.toUnsignedLong(insn.imm()) | (long) next.imm() << 32;
                if (result.checkLocalValue() && imm != want) {
                    throw unexpected(slot, result, imm, want);
                }
                insn.imm((int) value);
                next.imm((int) (value >>> 32));
            }
            default -> throw fail(slot, result, "the instruction (opcode 0x" + Integer.toHexString(op)
                    + ") is not one CO-RE can patch (mov/add with an immediate, ldx/st/stx, ld_imm64)");
        }
        return new CoreFixup(slot, result, null);
    }

    /** Whether {@code v} is a valid 32-bit immediate: sign-extended for ALU64, either reading for ALU32. */
    private static boolean fitsImm(long v, boolean alu64) {
        return v >= Integer.MIN_VALUE && v <= (alu64 ? Integer.MAX_VALUE : 0xffff_ffffL);
    }

    /**
     * Changes a load's or store's memory size to the kernel field's; returns why it cannot, for
     * poisoning, or null.
     */
    private static String resize(Insn insn, int op, CoreResult r) {
        int size = switch (op & SIZE_MASK) {
            case 0x00 -> 4;
            case 0x08 -> 2;
            case 0x10 -> 1;
            default -> 8;
        };
        int mode = op & MODE_MASK;
        int cls = op & 0x07;
        if (size != r.localSize() || mode != MODE_MEM && mode != MODE_MEMSX) {
            throw fail(insn.slot, r, "the instruction accesses " + size + " bytes (mode 0x" + Integer.toHexString(mode)
                    + ") but the field is " + r.localSize() + " bytes in the program");
        }
        int newSizeBits = switch (r.targetSize()) {
            case 1 -> 0x10;
            case 2 -> 0x08;
            case 4 -> 0x00;
            case 8 -> 0x18;
            default -> -1;
        };
        String what = (cls == CLASS_LDX ? "reads " : "writes ") + r.local() + " as " + r.localSize()
                + " bytes but the kernel's " + r.target() + " is " + r.targetSize() + " bytes";
        if (newSizeBits < 0) {
            return what + ", not a size a single load or store can take; use bpf_core_read()";
        }
        int newMode = mode;
        switch (r.resize()) {
            case NOT_NEEDED, ZERO_EXTENDING -> {
                // Zero extension keeps pointers and unsigned values; truncating stores keep the low bits.
            }
            case SIGN_EXTENDING -> {
                if (cls != CLASS_LDX) {
                    return what + " and signed: a store of another size would change the value; declare the field"
                            + " with the kernel's type";
                }
                // A narrower signed kernel field needs a sign-extending load to give the same value.
                newMode = r.targetSize() == 8 ? MODE_MEM : MODE_MEMSX;
            }
            case FORBIDDEN -> {
                return what + " of another type or signedness; declare the field with the kernel's type, or read"
                        + " pointers and unsigned integers only";
            }
        }
        if (newMode == MODE_MEMSX && newSizeBits == 0x18) newMode = MODE_MEM; // no sign-extending 64-bit load
        insn.opcode(newMode | newSizeBits | cls);
        return null;
    }

    private static void poison(MemorySegment code, int slot, ByteOrder order) {
        Insn insn = new Insn(code, slot, order);
        // A poisoned ld_imm64 loses both halves, so the verifier reports the call, not a bad opcode.
        if (insn.opcode() == LD_IMM64 && (slot + 2L) * SLOT_SIZE <= code.byteSize()) {
            poisonOne(new Insn(code, slot + 1, order));
        }
        poisonOne(insn);
    }

    private static void poisonOne(Insn insn) {
        insn.opcode(CALL);
        insn.regs(0);
        insn.off((short) 0);
        insn.imm(POISON_HELPER_ID);
    }

    private static CoreRelocationException unexpected(int slot, CoreResult r, long found, long want) {
        return fail(slot, r, "the instruction holds " + found + " where the compiler's value is " + want
                + ": the relocation does not belong to this instruction (code and .BTF.ext out of step?)");
    }

    private static CoreRelocationException fail(int slot, CoreResult r, String why) {
        return new CoreRelocationException("instruction " + slot + ": CO-RE relocation " + r.describe() + ": " + why);
    }

    // ---------------------------------------------------------------------------------------------
    // Verifier log

    /** A poisoned call as the verifier prints it: {@code 12: (85) call unknown#195896080}. */
    private static final Pattern POISONED_CALL = Pattern.compile(
            "(?m)^(\\d+): \\(85\\) call [^\\n#]*#" + POISON_HELPER_ID + "\\b");
    private static final Pattern ANY_INSN = Pattern.compile("(?m)^(\\d+): \\(");
    private static final String INVALID_FUNC = "#" + POISON_HELPER_ID;

    /**
     * If the verifier rejected a program because it reached an instruction that CO-RE poisoned,
     * a message naming the field, type or enumerator the kernel lacks and how to guard it; else
     * empty.
     *
     * @param verifierLog the verifier log of the failed load
     * @param fixups      the fixups applied to the program's code (slots as loaded)
     */
    public static Optional<String> explainPoison(String verifierLog, List<CoreFixup> fixups) {
        if (verifierLog == null || !verifierLog.contains(INVALID_FUNC)) return Optional.empty();
        List<CoreFixup> poisoned = new ArrayList<>();
        for (CoreFixup f : fixups) {
            if (f.poisoned()) poisoned.add(f);
        }
        if (poisoned.isEmpty()) return Optional.empty();
        int slot = reachedSlot(verifierLog);
        for (CoreFixup f : poisoned) {
            // Both slots of a poisoned ld_imm64 call the bad helper; the first is the one reached.
            if (f.slot() == slot || f.slot() + 1 == slot) return Optional.of(message(slot, f));
        }
        if (poisoned.size() == 1) return Optional.of(message(slot, poisoned.getFirst()));
        StringBuilder sb = new StringBuilder("the verifier reached an instruction that CO-RE poisoned because the kernel"
                + " lacks what it needs; the program has " + poisoned.size() + " such instructions:");
        for (CoreFixup f : poisoned) {
            sb.append("\n  instruction ").append(f.slot()).append(": ").append(what(f));
        }
        return Optional.of(sb.append("\nguard them with bpf_core_field_exists(), bpf_core_type_exists() or"
                + " bpf_core_enum_value_exists()").toString());
    }

    /** The slot of the poisoned call the verifier complained about, or -1 if the log does not say. */
    private static int reachedSlot(String log) {
        int last = -1;
        Matcher m = POISONED_CALL.matcher(log);
        while (m.find()) last = Integer.parseInt(m.group(1));
        if (last >= 0) return last;
        // Without the disassembly of the call: the last instruction printed before the complaint.
        int end = log.indexOf("invalid func");
        Matcher any = ANY_INSN.matcher(end >= 0 ? log.substring(0, end) : log);
        while (any.find()) last = Integer.parseInt(any.group(1));
        return last;
    }

    private static String message(int slot, CoreFixup f) {
        CoreResult r = f.result();
        String guard = switch (r.kind()) {
            case ENUMVAL_VALUE -> "bpf_core_enum_value_exists()";
            case TYPE_ID_TARGET, TYPE_SIZE, TYPE_EXISTS, TYPE_MATCHES, TYPE_ID_LOCAL -> "bpf_core_type_exists()";
            default -> "bpf_core_field_exists()";
        };
        return "instruction " + (slot >= 0 ? slot : f.slot()) + " is reachable but was poisoned by CO-RE: " + what(f)
                + "; guard the access with " + guard + " so the verifier can see it is dead code on this kernel";
    }

    private static String what(CoreFixup f) {
        CoreResult r = f.result();
        String subject = switch (r.kind()) {
            case ENUMVAL_VALUE, ENUMVAL_EXISTS -> "enumerator " + r.local();
            case TYPE_ID_TARGET, TYPE_SIZE, TYPE_EXISTS, TYPE_MATCHES, TYPE_ID_LOCAL -> "type " + r.local();
            default -> "field " + r.local();
        };
        return r.kind() + " of " + subject + ": " + f.poisonReason();
    }

    // ---------------------------------------------------------------------------------------------

    /** One instruction slot: {@code code, dst:4 src:4, off, imm}; register nibbles follow the byte order. */
    private static final class Insn {
        final MemorySegment code;
        final int slot;
        final long at;
        final boolean little;

        Insn(MemorySegment code, int slot, ByteOrder order) {
            this.code = code;
            this.slot = slot;
            this.at = (long) slot * SLOT_SIZE;
            this.little = order == ByteOrder.LITTLE_ENDIAN;
        }

        int opcode() {
            return code.get(ValueLayout.JAVA_BYTE, at) & 0xff;
        }

        void opcode(int op) {
            code.set(ValueLayout.JAVA_BYTE, at, (byte) op);
        }

        int regs() {
            return code.get(ValueLayout.JAVA_BYTE, at + 1) & 0xff;
        }

        void regs(int v) {
            code.set(ValueLayout.JAVA_BYTE, at + 1, (byte) v);
        }

        int src() {
            return little ? regs() >>> 4 : regs() & 0x0f;
        }

        short off() {
            return code.get(little ? SHORT_LE : SHORT_BE, at + 2);
        }

        void off(short v) {
            code.set(little ? SHORT_LE : SHORT_BE, at + 2, v);
        }

        int imm() {
            return code.get(little ? INT_LE : INT_BE, at + 4);
        }

        void imm(int v) {
            code.set(little ? INT_LE : INT_BE, at + 4, v);
        }
    }
}
