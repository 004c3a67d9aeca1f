package dev.jbcc.testing;

import dev.jbcc.AttachType;
import dev.jbcc.BpfMap;
import dev.jbcc.ProgramType;
import dev.jbcc.asm.Asm;
import dev.jbcc.asm.Helper;
import dev.jbcc.asm.Instructions;
import dev.jbcc.asm.Opcode.JumpOp;
import dev.jbcc.asm.Opcode.Size;
import dev.jbcc.asm.Register;
import dev.jbcc.spec.ProgramSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hand-assembled programs that count their runs in an array map's single value, for tests that
 * check a hook fires without needing clang (which is slow under the VM's emulation).
 */
public final class CountingPrograms {
    private CountingPrograms() {}

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());

    /**
     * {@code counts[0] + offset += 1; return 0}, as a BTF-attached program on {@code target}.
     * With {@code onlyThread} &gt; 0 only runs in that thread (the kernel's pid, see
     * {@link #currentThreadId()}) count.
     */
    public static ProgramSpec counter(ProgramType type, AttachType attach, String target,
                                      BpfMap counts, int offset, int onlyThread) {
        var code = Instructions.builder();
        if (onlyThread > 0) {
            code.add(Asm.call(Helper.GET_CURRENT_PID_TGID))
                .add(Asm.mov32(Register.R0, Register.R0)) // the low half: the thread's pid
                .add(Asm.ldMapValue(Register.R1, counts.fd(), offset))
                .add(Asm.jump(JumpOp.JNE, Register.R0, onlyThread, 2));
        } else {
            code.add(Asm.ldMapValue(Register.R1, counts.fd(), offset));
        }
        code.add(Asm.mov64(Register.R2, 1))
            .add(Asm.atomicAdd(Size.DW, Register.R1, 0, Register.R2))
            .add(Asm.mov64(Register.R0, 0))
            .add(Asm.exit());
        return ProgramSpec.of("jbcc_count", type, code.build()).withAttachType(attach).withAttachTarget(target);
    }

    /** The kernel's pid of the calling Java thread (its thread id). */
    public static int currentThreadId() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The count at {@code offset} in {@code counts}' single value. */
    public static long count(BpfMap counts, int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(counts.valueSize(), 8);
            if (!counts.lookup(key, value)) throw new AssertionError("array map " + counts + " has no element 0");
            return value.get(U64, offset);
        }
    }
}
