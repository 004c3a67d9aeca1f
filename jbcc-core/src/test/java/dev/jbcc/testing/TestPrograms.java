package dev.jbcc.testing;

import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.ProgLoadAttr;
import dev.jbcc.spec.ProgramType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Minimal programs built from raw instructions, for tests that need some loaded program. */
public final class TestPrograms {
    private TestPrograms() {}

    private static final ValueLayout.OfLong INSN = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** {@code r0 = imm; exit}: BPF_ALU64|BPF_MOV|BPF_K into r0, then BPF_JMP|BPF_EXIT. */
    public static long[] returning(int imm) {
        long mov = 0xb7L | ((imm & 0xFFFFFFFFL) << 32);
        long exit = 0x95L;
        return new long[] {mov, exit};
    }

    /** Loads {@code r0 = imm; exit} as a program of the given type, under the GPL license. */
    public static Fd load(ProgramType type, String name, int imm) {
        try (Arena arena = Arena.ofConfined()) {
            long[] code = returning(imm);
            MemorySegment insns = arena.allocate(8L * code.length, 8);
            for (int i = 0; i < code.length; i++) insns.setAtIndex(INSN, i, code[i]);
            MemorySegment log = arena.allocate(4096);
            var attr = new ProgLoadAttr(arena).progType(type.value()).insns(insns)
                    .license(arena.allocateFrom("GPL")).progName(name).log(log, 1);
            return Bpf.progLoad(attr);
        }
    }
}
