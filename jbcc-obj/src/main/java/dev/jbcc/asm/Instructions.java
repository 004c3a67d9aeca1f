package dev.jbcc.asm;

import dev.jbcc.errors.FormatException;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * An immutable instruction sequence with what a loader needs besides the opcodes: the mapping
 * between instruction indices and 8-byte slot positions (a {@code ld_imm64} takes two slots, so
 * they differ), a {@link Reference} per instruction to patch at load time, and symbols naming the
 * instruction where a function starts.
 *
 * <p>Equality covers instructions, references and symbols. Build with {@link #builder()}.
 */
public final class Instructions implements Iterable<Instruction> {
    private static final Instructions EMPTY = new Instructions(new Instruction[0], new Reference[0], new String[0]);

    private final Instruction[] instructions;
    private final Reference[] references;
    private final String[] symbols;
    /** slots[i] is the slot where instruction i starts; slots[size] is the total slot count. */
    private final int[] slots;

    private Instructions(Instruction[] instructions, Reference[] references, String[] symbols) {
        this.instructions = instructions;
        this.references = references;
        this.symbols = symbols;
        this.slots = new int[instructions.length + 1];
        for (int i = 0; i < instructions.length; i++) slots[i + 1] = slots[i] + instructions[i].slots();
    }

    public static Instructions empty() {
        return EMPTY;
    }

    /** Instructions without references or symbols. */
    public static Instructions of(List<Instruction> instructions) {
        Instruction[] array = instructions.toArray(new Instruction[0]);
        for (Instruction i : array) Objects.requireNonNull(i, "instruction");
        return new Instructions(array, new Reference[array.length], new String[array.length]);
    }

    public static Instructions of(Instruction... instructions) {
        return of(Arrays.asList(instructions));
    }

    /**
     * Decodes {@code code} (whose size must be a multiple of 8) in the given byte order.
     *
     * @throws FormatException if the code is cut off mid-instruction
     */
    public static Instructions decode(MemorySegment code, ByteOrder order) {
        if (code.byteSize() % Instruction.SLOT_SIZE != 0) {
            throw new FormatException("code of " + code.byteSize() + " bytes is not a whole number of 8-byte instructions");
        }
        List<Instruction> result = new ArrayList<>((int) (code.byteSize() / Instruction.SLOT_SIZE));
        long at = 0;
        while (at < code.byteSize()) {
            Instruction insn = Instruction.decode(code, at, order);
            result.add(insn);
            at += (long) insn.slots() * Instruction.SLOT_SIZE;
        }
        return of(result);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.addAll(this);
        return b;
    }

    public int size() {
        return instructions.length;
    }

    public boolean isEmpty() {
        return instructions.length == 0;
    }

    public Instruction get(int index) {
        return instructions[index];
    }

    /** The instructions as an unmodifiable list. */
    public List<Instruction> asList() {
        return List.of(instructions);
    }

    @Override
    public Iterator<Instruction> iterator() {
        return asList().iterator();
    }

    /** The reference to patch in instruction {@code index}, or null if it has none. */
    public Reference reference(int index) {
        return references[index];
    }

    /** The symbol (function name) starting at instruction {@code index}, or null. */
    public String symbol(int index) {
        return symbols[index];
    }

    /** The index of the instruction carrying {@code symbol}, or -1. */
    public int indexOfSymbol(String symbol) {
        for (int i = 0; i < symbols.length; i++) if (symbol.equals(symbols[i])) return i;
        return -1;
    }

    /** Total size in 8-byte slots (instructions plus the second halves of {@code ld_imm64}). */
    public int slotCount() {
        return slots[instructions.length];
    }

    public long byteSize() {
        return (long) slotCount() * Instruction.SLOT_SIZE;
    }

    /** The slot where instruction {@code index} starts; {@code index == size()} gives the end. */
    public int slotOf(int index) {
        return slots[index];
    }

    public long byteOffsetOf(int index) {
        return (long) slots[index] * Instruction.SLOT_SIZE;
    }

    /** The index of the instruction starting at {@code slot}, or -1 if no instruction starts there. */
    public int indexOfSlot(int slot) {
        int found = Arrays.binarySearch(slots, 0, instructions.length, slot);
        return found >= 0 ? found : -1;
    }

    /** The index of the instruction starting at {@code byteOffset}, or -1. */
    public int indexOfByteOffset(long byteOffset) {
        if (byteOffset % Instruction.SLOT_SIZE != 0 || byteOffset < 0) return -1;
        long slot = byteOffset / Instruction.SLOT_SIZE;
        return slot > Integer.MAX_VALUE ? -1 : indexOfSlot((int) slot);
    }

    /** The index of the instruction {@code index}'s jump, call or function load lands on, or -1. */
    public int targetOf(int index) {
        Instruction insn = instructions[index];
        long distance;
        if (insn.isPseudoCall() || insn.isPseudoFunc()) distance = (int) insn.imm();
        else if (insn.isJumpWithOffset()) distance = insn.offset();
        else if (insn.opClass() == Opcode.OpClass.JMP32 && Opcode.JumpOp.of(insn.opcode()) == Opcode.JumpOp.JA) {
            distance = (int) insn.imm();
        } else return -1;
        // Distances count slots from the slot after the instruction's first one.
        long target = slots[index] + 1 + distance;
        return target < 0 || target > Integer.MAX_VALUE ? -1 : indexOfSlot((int) target);
    }

    /** The kernel's wire format. */
    public byte[] encode(ByteOrder order) {
        byte[] bytes = new byte[Math.toIntExact(byteSize())];
        encode(MemorySegment.ofArray(bytes), order);
        return bytes;
    }

    /** Writes the instructions to the start of {@code target}, which must hold {@link #byteSize()} bytes. */
    public void encode(MemorySegment target, ByteOrder order) {
        long at = 0;
        for (Instruction insn : instructions) at += insn.encode(target, at, order);
    }

    public Instructions withInstruction(int index, Instruction instruction) {
        Instruction[] copy = instructions.clone();
        copy[index] = Objects.requireNonNull(instruction);
        return new Instructions(copy, references, symbols);
    }

    public Instructions withReference(int index, Reference reference) {
        Reference[] copy = references.clone();
        copy[index] = reference;
        return new Instructions(instructions, copy, symbols);
    }

    public Instructions withSymbol(int index, String symbol) {
        String[] copy = symbols.clone();
        copy[index] = symbol;
        return new Instructions(instructions, references, copy);
    }

    /** The instructions {@code from} (inclusive) to {@code to} (exclusive) with their references and symbols. */
    public Instructions slice(int from, int to) {
        return new Instructions(Arrays.copyOfRange(instructions, from, to), Arrays.copyOfRange(references, from, to),
                Arrays.copyOfRange(symbols, from, to));
    }

    /**
     * A listing in the verifier log's style: symbols as labels, then {@code slot: (opcode) instruction}
     * with the reference after a {@code ;}.
     */
    public String disassemble() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < instructions.length; i++) {
            if (symbols[i] != null) out.append(symbols[i]).append(":\n");
            out.append(String.format("%4d: (%02x) ", slots[i], instructions[i].opcode())).append(instructions[i]);
            if (references[i] != null) out.append(" ; ").append(references[i]);
            out.append('\n');
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instructions other && Arrays.equals(instructions, other.instructions)
                && Arrays.equals(references, other.references) && Arrays.equals(symbols, other.symbols);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(instructions) * 31 + Arrays.hashCode(references);
    }

    @Override
    public String toString() {
        return disassemble();
    }

    /** Collects instructions with their references and symbols; {@link #build()} copies, so a builder is reusable. */
    public static final class Builder {
        private final List<Instruction> instructions = new ArrayList<>();
        private final List<Reference> references = new ArrayList<>();
        private final List<String> symbols = new ArrayList<>();
        private String pendingSymbol;

        private Builder() {}

        /** Names the next instruction added (a function's entry). */
        public Builder symbol(String name) {
            if (pendingSymbol != null) throw new IllegalStateException("symbol " + pendingSymbol + " has no instruction yet");
            pendingSymbol = Objects.requireNonNull(name);
            return this;
        }

        public Builder add(Instruction instruction) {
            return add(instruction, null);
        }

        public Builder add(Instruction instruction, Reference reference) {
            instructions.add(Objects.requireNonNull(instruction, "instruction"));
            references.add(reference);
            symbols.add(pendingSymbol);
            pendingSymbol = null;
            return this;
        }

        public Builder addAll(Instructions more) {
            if (pendingSymbol != null && !more.isEmpty() && more.symbol(0) != null) {
                throw new IllegalStateException("symbol " + pendingSymbol + " and " + more.symbol(0) + " on one instruction");
            }
            for (int i = 0; i < more.size(); i++) {
                String symbol = more.symbol(i);
                if (i == 0 && symbol == null) symbol = pendingSymbol;
                instructions.add(more.get(i));
                references.add(more.reference(i));
                symbols.add(symbol);
            }
            if (!more.isEmpty()) pendingSymbol = null;
            return this;
        }

        /** Replaces instruction {@code index}, keeping its reference and symbol. */
        public Builder set(int index, Instruction instruction) {
            instructions.set(index, Objects.requireNonNull(instruction));
            return this;
        }

        public Builder setReference(int index, Reference reference) {
            references.set(index, reference);
            return this;
        }

        public int size() {
            return instructions.size();
        }

        public Instruction get(int index) {
            return instructions.get(index);
        }

        public Instructions build() {
            if (pendingSymbol != null) throw new IllegalStateException("symbol " + pendingSymbol + " has no instruction");
            return new Instructions(instructions.toArray(new Instruction[0]), references.toArray(new Reference[0]),
                    symbols.toArray(new String[0]));
        }
    }
}
