package dev.jbcc;

import dev.jbcc.asm.Instruction;
import dev.jbcc.asm.Instructions;
import dev.jbcc.asm.Opcode.OpClass;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.CoreReloKind;
import dev.jbcc.btf.core.CoreFixup;
import dev.jbcc.btf.core.CoreResolver;
import dev.jbcc.errors.CoreRelocationException;
import dev.jbcc.errors.FormatException;
import dev.jbcc.features.Feature;
import dev.jbcc.spec.CoreRelocation;
import dev.jbcc.spec.ProgramSpec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Applies a program's CO-RE relocations against the kernel's BTF before load. */
final class CoreRelocations {
    /** The helper id a poisoned call to a missing weak kfunc gets, as libbpf does. */
    static final long POISON_KFUNC = 2002000000L;

    /** What the verifier says when a poisoned instruction is reachable. */
    private static final String POISON_CALL = "unknown#" + CoreFixup.POISON_HELPER_ID;
    private static final Pattern INSTRUCTION_LINE = Pattern.compile("^(\\d+): \\(85\\) call " + POISON_CALL);

    /**
     * A program's instructions with its relocations applied, and the sentence for each poisoned
     * slot, for {@link #explainPoison} to quote when the verifier reaches one.
     */
    record Relocated(Instructions instructions, Map<Integer, String> poisoned) {}

    private CoreRelocations() {}

    /**
     * Against the running kernel (the loader was given no BTF of its own), types
     * vmlinux lacks are looked for in the loaded modules' BTF, and signed fields of another size
     * are read with sign-extending loads where the kernel has them (6.6); against a BTF the caller
     * gave, that BTF alone decides.
     */
    private static CoreResolver resolver(Btf local, Btf kernel, boolean runningKernel) {
        if (!runningKernel) return CoreResolver.of(local, kernel);
        CoreResolver resolver = CoreResolver.of(local, kernel, Btf::kernelModules);
        return Feature.SIGN_EXTENDING_LOADS.available() ? resolver.withSignExtendingLoads() : resolver;
    }

    /**
     * The program's instructions with every CO-RE relocation applied, in the same slot layout:
     * patched values, and poisoned instructions (calls of a nonexistent helper) where the kernel
     * lacks a field or enumerator.
     *
     * @param kernel the target types; may be null for a program without CO-RE relocations
     * @throws CoreRelocationException if a relocation does not fit its instruction or is ambiguous
     * @throws FormatException         if a relocation does not fit the object's BTF
     */
    static Relocated apply(ProgramSpec program, Btf local, Btf kernel, boolean runningKernel) {
        List<CoreRelocation> relocations = program.coreRelocations();
        if (relocations.isEmpty()) return new Relocated(program.instructions(), Map.of());
        if (local == null) {
            throw new FormatException("program " + program.name() + " has CO-RE relocations but its object has no .BTF "
                    + "section; compile with -g");
        }
        // One resolver per program: its candidate narrowing then depends on this program's relocations only.
        CoreResolver resolver = resolver(local, kernel, runningKernel);
        Instructions insns = program.instructions();
        // Replacements by instruction index: one instruction, or two for a poisoned ld_imm64.
        Map<Integer, List<Instruction>> patched = new HashMap<>();
        Map<Integer, String> poisoned = new HashMap<>();
        for (CoreRelocation r : relocations) {
            int index = insns.indexOfSlot(r.instructionOffset());
            if (index < 0) {
                throw new FormatException("program " + program.name() + ": CO-RE relocation " + r.kind() + " points at slot "
                        + r.instructionOffset() + ", where no instruction starts (the program has "
                        + insns.slotCount() + " slots)");
            }
            List<Instruction> before = patched.get(index);
            Instruction insn = before != null ? before.getFirst() : insns.get(index);
            String where = "program " + program.name() + ", instruction " + r.instructionOffset();
            try {
                CoreFixup fixup = resolver.resolve(r.typeId(), r.accessString(), r.kind());
                CoreFixup.Poison poison = fixup.poisonFor(insn);
                patched.put(index, fixup.apply(insn));
                if (poison != null) {
                    poisoned.put(r.instructionOffset(), "instruction " + r.instructionOffset() + " " + verb(r.kind(), insn)
                            + " " + fixup.subject() + ", " + poison.reason() + " (CO-RE relocation could not be resolved); "
                            + poison.fix());
                }
            } catch (CoreRelocationException e) {
                throw e.in(where);
            } catch (FormatException e) {
                throw new FormatException(where + ": " + e.getMessage(), e);
            }
        }
        Instructions.Builder out = Instructions.builder();
        for (int i = 0; i < insns.size(); i++) {
            String symbol = insns.symbol(i);
            if (symbol != null) out.symbol(symbol);
            List<Instruction> replacement = patched.get(i);
            if (replacement == null) {
                out.add(insns.get(i), insns.reference(i));
                continue;
            }
            out.add(replacement.getFirst(), insns.reference(i));
            for (int k = 1; k < replacement.size(); k++) out.add(replacement.get(k));
        }
        return new Relocated(out.build(), Map.copyOf(poisoned));
    }

    private static String verb(CoreReloKind kind, Instruction insn) {
        if (kind.isEnumValue()) return "uses";
        OpClass c = insn.opClass();
        if (c == OpClass.ST || c == OpClass.STX) return "writes";
        if (c == OpClass.LDX || kind == CoreReloKind.FIELD_BYTE_OFFSET) return "reads";
        return "uses";
    }

    /**
     * A sentence naming the field or type behind a poisoned instruction the verifier hit, or null:
     * the log says {@code invalid func unknown#195896080} after the line {@code N: (85) call
     * unknown#195896080} of the instruction at slot N.
     */
    static String explainPoison(String verifierLog, Map<Integer, String> poisoned) {
        if (verifierLog == null || !verifierLog.contains("invalid func " + POISON_CALL)) return null;
        String[] lines = verifierLog.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].startsWith("invalid func " + POISON_CALL)) continue;
            for (int j = i - 1; j >= 0; j--) {
                Matcher m = INSTRUCTION_LINE.matcher(lines[j]);
                if (!m.find()) continue;
                int slot = Integer.parseInt(m.group(1));
                String sentence = poisoned.get(slot);
                return sentence != null ? sentence : "instruction " + slot
                        + " was poisoned because a CO-RE relocation could not be resolved against the kernel's BTF";
            }
        }
        return null;
    }
}
