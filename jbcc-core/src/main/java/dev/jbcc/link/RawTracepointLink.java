package dev.jbcc.link;

import dev.jbcc.features.Feature;
import dev.jbcc.Program;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.spec.ProgramType;

/**
 * A {@code SEC("raw_tp/NAME")} program on a raw tracepoint ({@code BPF_RAW_TRACEPOINT_OPEN},
 * 4.17+): the program gets the tracepoint's raw arguments ({@code struct bpf_raw_tracepoint_args}),
 * without the tracefs formatting a {@link TracepointLink} pays for.
 */
public final class RawTracepointLink implements BpfLinkBacked {
    private final String tracepoint;
    private final RawLink link;

    private RawTracepointLink(String tracepoint, RawLink link) {
        this.tracepoint = tracepoint;
        this.link = link;
    }

    public static RawTracepointLink attach(Program program, String tracepoint) {
        return attach(program, tracepoint, 0);
    }

    /**
     * @param tracepoint the tracepoint's name without its category ({@code sys_enter}, {@code sched_switch})
     * @param cookie     a value for {@code bpf_get_attach_cookie} (6.10+), or 0
     * @throws NotFoundException if the kernel has no such tracepoint
     */
    public static RawTracepointLink attach(Program program, String tracepoint, long cookie) {
        if (program.type() != ProgramType.RAW_TRACEPOINT && program.type() != ProgramType.RAW_TRACEPOINT_WRITABLE) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + " program; raw tracepoints run RAW_TRACEPOINT programs (SEC(\"raw_tp/NAME\"))"
                    + (program.type() == ProgramType.TRACING ? "; attach tp_btf/fentry/fexit programs with TracingLink" : ""));
        }
        if (tracepoint.contains(":") || tracepoint.contains("/")) {
            throw new IllegalArgumentException("raw tracepoint '" + tracepoint + "': give the name without its category"
                    + " (sys_enter, not raw_syscalls:sys_enter)");
        }
        try {
            return new RawTracepointLink(tracepoint, new RawLink(Bpf.rawTracepointOpen(tracepoint, Handles.of(program), cookie)));
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT) {
                throw new NotFoundException("raw tracepoint " + tracepoint + " does not exist in this kernel"
                        + " (raw tracepoints are the names under /sys/kernel/tracing/events/*/, without the category)", e);
            }
            if (cookie != 0 && (e.errno() == Errno.E2BIG || e.errno() == Errno.EINVAL)) {
                throw Feature.RAW_TRACEPOINT_COOKIE.unsupported("attach without a cookie");
            }
            if (e.errno() == Errno.EINVAL) {
                // The kernel refuses a program that reads past the tracepoint's arguments.
                int args = argumentCount(tracepoint);
                if (args >= 0) {
                    throw new NotFoundException("raw tracepoint " + tracepoint + " has " + args + " arguments in this kernel"
                            + " (ctx->args[0.." + (args - 1) + "]), and program '" + program.name() + "' reads past them:"
                            + " the tracepoint's arguments changed between kernels; read only those this kernel has", e);
                }
            }
            throw e;
        }
    }

    /** The tracepoint's argument count from the kernel's BTF ({@code btf_trace_NAME}), or -1 if unknown. */
    private static int argumentCount(String tracepoint) {
        try {
            Btf btf = Btf.kernel();
            var typedef = btf.find("btf_trace_" + tracepoint, BtfType.Typedef.class);
            if (typedef.isEmpty()) return -1;
            BtfType ptr = btf.type(btf.resolve(typedef.get().type()));
            if (ptr instanceof BtfType.Ptr p && btf.type(btf.resolve(p.type())) instanceof BtfType.FuncProto proto) {
                return proto.params().size() - 1; // the first is the tracepoint's own data pointer
            }
            return -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    public String tracepoint() {
        return tracepoint;
    }

    @Override
    public RawLink rawLink() {
        return link;
    }

    @Override
    public String toString() {
        return "RawTracepointLink[" + tracepoint + ", " + link + "]";
    }
}
