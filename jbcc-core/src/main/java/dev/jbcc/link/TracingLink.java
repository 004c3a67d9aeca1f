package dev.jbcc.link;

import dev.jbcc.features.Feature;
import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.LinkCreateAttr;
import dev.jbcc.internal.sys.Privileges;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.ProgramType;

import java.lang.foreign.Arena;
import java.util.Set;

/**
 * A BTF-attached tracing program ({@code SEC("fentry/FN")}, {@code fexit}, {@code fmod_ret},
 * {@code tp_btf/TP}) on the kernel function or tracepoint it was loaded for: the target was fixed
 * at load time (its BTF id), so attaching takes no target. Uses {@code BPF_LINK_CREATE} with the
 * program's attach type (5.10+; tp_btf 6.10+), falling back to {@code BPF_RAW_TRACEPOINT_OPEN}.
 */
public final class TracingLink implements BpfLinkBacked {
    private static final Set<AttachType> ATTACH_TYPES =
            Set.of(AttachType.TRACE_FENTRY, AttachType.TRACE_FEXIT, AttachType.MODIFY_RETURN, AttachType.TRACE_RAW_TP);

    private final String target;
    private final RawLink link;

    private TracingLink(String target, RawLink link) {
        this.target = target;
        this.link = link;
    }

    public static TracingLink attach(Program program) {
        return attach(program, 0);
    }

    /**
     * @param cookie a value for {@code bpf_get_attach_cookie} (5.19+), or 0
     * @throws IllegalArgumentException if the program is not an fentry/fexit/fmod_ret/tp_btf program
     */
    public static TracingLink attach(Program program, long cookie) {
        if (program.type() != ProgramType.TRACING || !ATTACH_TYPES.contains(program.attachType())) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + (program.attachType() != null ? "/" + program.attachType() : "")
                    + " program; TracingLink attaches fentry/fexit/fmod_ret/tp_btf programs"
                    + (program.attachType() == AttachType.TRACE_ITER ? "; attach iterators with IterLink" : "")
                    + (program.type() == ProgramType.LSM ? "; attach LSM programs with LsmLink" : ""));
        }
        return new TracingLink(program.attachTarget(), new RawLink(create(program, program.attachType(), cookie)));
    }

    /**
     * BPF_LINK_CREATE for a program whose target is its load-time BTF id, else (a kernel that
     * cannot create this kind of link: EINVAL) BPF_RAW_TRACEPOINT_OPEN with no name.
     */
    static Fd create(Program program, AttachType attachType, long cookie) {
        try (Arena arena = Arena.ofConfined()) {
            var attr = new LinkCreateAttr(arena).progFd(Handles.of(program)).attachType(attachType.value());
            if (cookie != 0) attr.tracingCookie(cookie);
            try {
                return Bpf.linkCreate(attr);
            } catch (SyscallException e) {
                if (e.errno() != Errno.EINVAL) throw explain(program, e);
                if (cookie != 0) {
                    throw (attachType == AttachType.TRACE_RAW_TP ? Feature.RAW_TRACEPOINT_COOKIE : Feature.TRACING_COOKIE)
                            .unsupported("attach " + attachType + " without a cookie");
                }
            }
            try {
                return Bpf.rawTracepointOpen(null, Handles.of(program), 0);
            } catch (SyscallException e) {
                throw explain(program, e);
            }
        }
    }

    private static RuntimeException explain(Program program, SyscallException e) {
        return switch (e.errno()) {
            case Errno.EPERM, Errno.EACCES -> new SyscallException("attach " + program.type() + " program '"
                    + program.name() + "'", e.errno(), Privileges.refusalIsPrivilege() ? Privileges.explainRefusal()
                    : "the kernel does not allow BPF trampolines here (" + Privileges.policy() + ")");
            case Errno.EBUSY, Errno.EEXIST -> new SyscallException("attach " + program.type() + " program '"
                    + program.name() + "'", e.errno(), "this program is already attached; load it again to attach twice");
            case Errno.ENOTSUPP, Errno.EOPNOTSUPP -> Feature.BPF_TRAMPOLINE.unsupported(
                    "this kernel or architecture cannot attach fentry/fexit to " + program.attachTarget());
            default -> e;
        };
    }

    /** The function or tracepoint named in the section (e.g. {@code do_unlinkat}). */
    public String target() {
        return target;
    }

    @Override
    public RawLink rawLink() {
        return link;
    }

    @Override
    public String toString() {
        return "TracingLink[" + target + ", " + link + "]";
    }
}
