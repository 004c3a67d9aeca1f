package dev.jbcc.asm;

/**
 * The parts of an eBPF opcode byte ({@code include/uapi/linux/bpf.h}, Documentation/bpf/standardization).
 * The low 3 bits are the {@link OpClass}; ALU and jump classes add an operation (high 4 bits) and a
 * {@link Source} bit; load and store classes add a {@link Size} and a {@link Mode}.
 */
public final class Opcode {
    private Opcode() {}

    /** {@code BPF_CLASS(code)}. */
    public enum OpClass {
        LD, LDX, ST, STX, ALU, JMP, JMP32, ALU64;

        public int bits() {
            return ordinal();
        }

        public static OpClass of(int opcode) {
            return values()[opcode & 0x07];
        }

        public boolean isAlu() {
            return this == ALU || this == ALU64;
        }

        public boolean isJump() {
            return this == JMP || this == JMP32;
        }

        public boolean isLoadStore() {
            return ordinal() <= STX.ordinal();
        }
    }

    /** {@code BPF_SRC(code)} of ALU and jump instructions: the operand is the immediate (K) or {@code src} (X). */
    public enum Source {
        K(0x00), X(0x08);

        private final int bits;

        Source(int bits) {
            this.bits = bits;
        }

        public int bits() {
            return bits;
        }

        public static Source of(int opcode) {
            return (opcode & 0x08) == 0 ? K : X;
        }
    }

    /** {@code BPF_OP(code)} of ALU and ALU64 instructions, with the verifier log's operator. */
    public enum AluOp {
        ADD(0x00, "+="), SUB(0x10, "-="), MUL(0x20, "*="), DIV(0x30, "/="), OR(0x40, "|="), AND(0x50, "&="),
        LSH(0x60, "<<="), RSH(0x70, ">>="), NEG(0x80, "neg"), MOD(0x90, "%="), XOR(0xa0, "^="), MOV(0xb0, "="),
        ARSH(0xc0, "s>>="), END(0xd0, "endian");

        private static final AluOp[] BY_BITS = new AluOp[16];

        static {
            for (AluOp op : values()) BY_BITS[op.bits >> 4] = op;
        }

        private final int bits;
        private final String operator;

        AluOp(int bits, String operator) {
            this.bits = bits;
            this.operator = operator;
        }

        public int bits() {
            return bits;
        }

        public String operator() {
            return operator;
        }

        /** The operation of an ALU opcode, or null for the unused encodings 0xe0 and 0xf0. */
        public static AluOp of(int opcode) {
            return BY_BITS[(opcode & 0xf0) >> 4];
        }
    }

    /** {@code BPF_OP(code)} of JMP and JMP32 instructions, with the verifier log's comparison. */
    public enum JumpOp {
        JA(0x00, "goto"), JEQ(0x10, "=="), JGT(0x20, ">"), JGE(0x30, ">="), JSET(0x40, "&"), JNE(0x50, "!="),
        JSGT(0x60, "s>"), JSGE(0x70, "s>="), CALL(0x80, "call"), EXIT(0x90, "exit"), JLT(0xa0, "<"),
        JLE(0xb0, "<="), JSLT(0xc0, "s<"), JSLE(0xd0, "s<="), JCOND(0xe0, "may_goto");

        private static final JumpOp[] BY_BITS = new JumpOp[16];

        static {
            for (JumpOp op : values()) BY_BITS[op.bits >> 4] = op;
        }

        private final int bits;
        private final String operator;

        JumpOp(int bits, String operator) {
            this.bits = bits;
            this.operator = operator;
        }

        public int bits() {
            return bits;
        }

        public String operator() {
            return operator;
        }

        /** The operation of a jump opcode, or null for the unused encoding 0xf0. */
        public static JumpOp of(int opcode) {
            return BY_BITS[(opcode & 0xf0) >> 4];
        }
    }

    /** {@code BPF_SIZE(code)} of loads and stores. */
    public enum Size {
        W(0x00, 4, "u32", "s32"), H(0x08, 2, "u16", "s16"), B(0x10, 1, "u8", "s8"), DW(0x18, 8, "u64", "s64");

        private final int bits;
        private final int bytes;
        private final String unsignedName;
        private final String signedName;

        Size(int bits, int bytes, String unsignedName, String signedName) {
            this.bits = bits;
            this.bytes = bytes;
            this.unsignedName = unsignedName;
            this.signedName = signedName;
        }

        public int bits() {
            return bits;
        }

        public int bytes() {
            return bytes;
        }

        String cType(boolean signed) {
            return signed ? signedName : unsignedName;
        }

        public static Size of(int opcode) {
            return values()[(opcode & 0x18) >> 3];
        }

        public static Size ofBytes(int bytes) {
            return switch (bytes) {
                case 1 -> B;
                case 2 -> H;
                case 4 -> W;
                case 8 -> DW;
                default -> throw new IllegalArgumentException("no load/store size of " + bytes + " bytes");
            };
        }
    }

    /** {@code BPF_MODE(code)} of loads and stores. */
    public enum Mode {
        IMM(0x00), ABS(0x20), IND(0x40), MEM(0x60), MEMSX(0x80), ATOMIC(0xc0);

        private final int bits;

        Mode(int bits) {
            this.bits = bits;
        }

        public int bits() {
            return bits;
        }

        /** The mode of a load/store opcode, or null for the unused encodings 0xa0 and 0xe0. */
        public static Mode of(int opcode) {
            return switch (opcode & 0xe0) {
                case 0x00 -> IMM;
                case 0x20 -> ABS;
                case 0x40 -> IND;
                case 0x60 -> MEM;
                case 0x80 -> MEMSX;
                case 0xc0 -> ATOMIC;
                default -> null;
            };
        }
    }

    /** {@code src_reg} values of {@code ld_imm64} that tell the kernel what the constant is. */
    public static final int PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2, PSEUDO_BTF_ID = 3, PSEUDO_FUNC = 4,
            PSEUDO_MAP_IDX = 5, PSEUDO_MAP_IDX_VALUE = 6;

    /** {@code src_reg} values of {@code call}: a helper (0), a bpf-to-bpf call, a kernel function by BTF id. */
    public static final int PSEUDO_CALL = 1, PSEUDO_KFUNC_CALL = 2;

    /** {@code imm} of an atomic store: the operation, with {@link #ATOMIC_FETCH} to return the old value. */
    public static final int ATOMIC_FETCH = 0x01, ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH, ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH,
            ATOMIC_LOAD_ACQUIRE = 0x100, ATOMIC_STORE_RELEASE = 0x110;

    /** The {@code ld_imm64} opcode: {@code LD | IMM | DW}, the only instruction taking two 8-byte slots. */
    public static final int LD_IMM64 = 0x18;

    public static int alu(OpClass opClass, AluOp op, Source source) {
        return opClass.bits() | op.bits() | source.bits();
    }

    public static int jump(OpClass opClass, JumpOp op, Source source) {
        return opClass.bits() | op.bits() | source.bits();
    }

    public static int loadStore(OpClass opClass, Mode mode, Size size) {
        return opClass.bits() | mode.bits() | size.bits();
    }
}
