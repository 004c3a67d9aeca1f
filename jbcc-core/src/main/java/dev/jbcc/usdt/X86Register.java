package dev.jbcc.usdt;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An x86-64 register as USDT argument strings name it ({@code %rdi}, {@code %r14d}, {@code %al},
 * {@code %ah}), with where the kernel's {@code struct pt_regs} keeps it.
 *
 * @param name         the name without {@code %}
 * @param ptRegsField  the kernel's pt_regs field holding the full register ({@code di}, {@code r14}, {@code ip})
 * @param ptRegsOffset byte offset of that field in x86-64 {@code struct pt_regs}
 * @param size         how many bytes this name covers: 8, 4, 2 or 1
 * @param byteOffset   where those bytes start within the 64-bit register: 1 for ah/bh/ch/dh, else 0
 */
public record X86Register(String name, String ptRegsField, int ptRegsOffset, int size, int byteOffset) {
    /** {@code sizeof(struct pt_regs)} on x86-64. */
    public static final int PT_REGS_SIZE = 168;

    private static final Map<String, X86Register> BY_NAME = new HashMap<>();

    static {
        // Field order of arch/x86/include/asm/ptrace.h struct pt_regs (x86-64), 8 bytes each.
        String[] fields = {"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx", "dx", "si",
                "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"};
        Map<String, Integer> offset = new HashMap<>();
        for (int i = 0; i < fields.length; i++) offset.put(fields[i], i * 8);
        // The legacy registers: 64/32/16/8-bit names, and the high-byte name where there is one.
        String[][] legacy = {
                {"ax", "rax", "eax", "ax", "al", "ah"}, {"bx", "rbx", "ebx", "bx", "bl", "bh"},
                {"cx", "rcx", "ecx", "cx", "cl", "ch"}, {"dx", "rdx", "edx", "dx", "dl", "dh"},
                {"si", "rsi", "esi", "si", "sil", null}, {"di", "rdi", "edi", "di", "dil", null},
                {"bp", "rbp", "ebp", "bp", "bpl", null}, {"sp", "rsp", "esp", "sp", "spl", null}};
        for (String[] r : legacy) {
            int at = offset.get(r[0]);
            add(r[1], r[0], at, 8, 0);
            add(r[2], r[0], at, 4, 0);
            add(r[3], r[0], at, 2, 0);
            add(r[4], r[0], at, 1, 0);
            if (r[5] != null) add(r[5], r[0], at, 1, 1);
        }
        for (int n = 8; n <= 15; n++) {
            String f = "r" + n;
            int at = offset.get(f);
            add(f, f, at, 8, 0);
            add(f + "d", f, at, 4, 0);
            add(f + "w", f, at, 2, 0);
            add(f + "b", f, at, 1, 0);
        }
        add("rip", "ip", offset.get("ip"), 8, 0);
    }

    private static void add(String name, String field, int offset, int size, int byteOffset) {
        BY_NAME.put(name, new X86Register(name, field, offset, size, byteOffset));
    }

    /** The register with this name (no {@code %}), e.g. {@code "r14d"}. */
    public static Optional<X86Register> of(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** True for {@code %rip}: its value at a USDT site is the site's address. */
    public boolean isInstructionPointer() {
        return ptRegsField.equals("ip");
    }

    @Override
    public String toString() {
        return "%" + name;
    }
}
