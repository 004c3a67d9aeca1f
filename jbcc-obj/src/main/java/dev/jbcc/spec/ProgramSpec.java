package dev.jbcc.spec;

import dev.jbcc.asm.Instructions;

import java.util.List;
import java.util.Objects;

/**
 * What a program should look like when loaded; kernel-independent.
 *
 * <p><b>Subprograms are linked in.</b> {@link #instructions()} holds the program's own code followed
 * by every subprogram it reaches through bpf-to-bpf calls or callback loads, each once, with the
 * {@code call}/{@code ld_imm64} distances already set for this layout (the same choice as
 * cilium/ebpf). Each subprogram's first instruction carries its name as a symbol, and each call keeps
 * a {@link dev.jbcc.asm.Reference.FunctionReference}. What still needs a kernel — map fds, global
 * data, kconfig and ksym values, kfunc BTF ids, CO-RE — is left as references for the loader.
 *
 * @param name            the function name
 * @param sectionName     the ELF section ({@code SEC("...")})
 * @param type            program type, {@link ProgramType#UNSPEC} if the section name follows no convention
 * @param attachType      expected attach type at load time, or null
 * @param attachTarget    the section name's target (function, tracepoint, binary:symbol...), or null
 * @param flags           {@code prog_flags}: {@link ProgramSection#BPF_F_SLEEPABLE}, {@link ProgramSection#BPF_F_XDP_HAS_FRAGS}
 * @param license         the object's license string ("" if it has none)
 * @param kernelVersion   the object's {@code version} section (0 if none)
 * @param instructions    the linked code, see above
 * @param funcInfos       BTF func_info, one per function in {@code instructions}; empty without {@code .BTF.ext}
 * @param lineInfos       BTF line_info for {@code instructions}
 * @param coreRelocations CO-RE relocations for {@code instructions}
 */
public record ProgramSpec(String name, String sectionName, ProgramType type, AttachType attachType,
                          String attachTarget, int flags, String license, int kernelVersion,
                          Instructions instructions, List<FuncInfo> funcInfos, List<LineInfo> lineInfos,
                          List<CoreRelocation> coreRelocations) {
    public ProgramSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sectionName, "sectionName");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(instructions, "instructions");
        funcInfos = List.copyOf(funcInfos);
        lineInfos = List.copyOf(lineInfos);
        coreRelocations = List.copyOf(coreRelocations);
    }

    /** A program built in Java: no section, license "GPL", no BTF information. */
    public static ProgramSpec of(String name, ProgramType type, Instructions instructions) {
        return new ProgramSpec(name, "", type, null, null, 0, "GPL", 0, instructions, List.of(), List.of(), List.of());
    }

    public ProgramSpec withType(ProgramType type) {
        return new ProgramSpec(name, sectionName, type, attachType, attachTarget, flags, license, kernelVersion,
                instructions, funcInfos, lineInfos, coreRelocations);
    }

    public ProgramSpec withAttachType(AttachType attachType) {
        return new ProgramSpec(name, sectionName, type, attachType, attachTarget, flags, license, kernelVersion,
                instructions, funcInfos, lineInfos, coreRelocations);
    }

    public ProgramSpec withAttachTarget(String attachTarget) {
        return new ProgramSpec(name, sectionName, type, attachType, attachTarget, flags, license, kernelVersion,
                instructions, funcInfos, lineInfos, coreRelocations);
    }

    public ProgramSpec withFlags(int flags) {
        return new ProgramSpec(name, sectionName, type, attachType, attachTarget, flags, license, kernelVersion,
                instructions, funcInfos, lineInfos, coreRelocations);
    }

    public ProgramSpec withLicense(String license) {
        return new ProgramSpec(name, sectionName, type, attachType, attachTarget, flags, license, kernelVersion,
                instructions, funcInfos, lineInfos, coreRelocations);
    }

    public ProgramSpec withKernelVersion(int kernelVersion) {
        return new ProgramSpec(name, sectionName, type, attachType, attachTarget, flags, license, kernelVersion,
                instructions, funcInfos, lineInfos, coreRelocations);
    }

    /** New code; BTF func/line info and CO-RE records no longer match it and are dropped. */
    public ProgramSpec withInstructions(Instructions instructions) {
        return new ProgramSpec(name, sectionName, type, attachType, attachTarget, flags, license, kernelVersion,
                instructions, List.of(), List.of(), List.of());
    }

    /** True if {@link #flags()} has {@code BPF_F_SLEEPABLE}. */
    public boolean isSleepable() {
        return (flags & BpfFlags.BPF_F_SLEEPABLE) != 0;
    }

    /** The section name's convention (kind, target...), if it follows one. */
    public java.util.Optional<ProgramSection> section() {
        return ProgramSection.parse(sectionName);
    }
}
