package dev.jbcc.link;

import dev.jbcc.Program;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.ProgramType;

/**
 * A {@code SEC("lsm/HOOK")} program on the LSM hook it was loaded for (BPF LSM, 5.7+; the kernel
 * needs {@code bpf} in its LSM list). A non-zero return denies the operation with that errno.
 * For per-cgroup LSM programs ({@code lsm_cgroup/}) use {@link CgroupLink}.
 */
public final class LsmLink implements BpfLinkBacked {
    private final String hook;
    private final RawLink link;

    private LsmLink(String hook, RawLink link) {
        this.hook = hook;
        this.link = link;
    }

    public static LsmLink attach(Program program) {
        return attach(program, 0);
    }

    /** @param cookie a value for {@code bpf_get_attach_cookie} (5.19+), or 0 */
    public static LsmLink attach(Program program, long cookie) {
        if (program.type() != ProgramType.LSM || program.attachType() != AttachType.LSM_MAC) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + (program.attachType() != null ? "/" + program.attachType() : "")
                    + " program; LsmLink attaches SEC(\"lsm/HOOK\") programs (LSM/LSM_MAC)"
                    + (program.attachType() == AttachType.LSM_CGROUP ? "; attach lsm_cgroup programs with CgroupLink" : ""));
        }
        return new LsmLink(program.attachTarget(), new RawLink(TracingLink.create(program, AttachType.LSM_MAC, cookie)));
    }

    /** The LSM hook (e.g. {@code file_open}). */
    public String hook() {
        return hook;
    }

    @Override
    public RawLink rawLink() {
        return link;
    }

    @Override
    public String toString() {
        return "LsmLink[" + hook + ", " + link + "]";
    }
}
