package dev.jbcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.ProgramSpec;

/**
 * The kernel BTF object a BTF-attached program (fentry/fexit/fmod_ret, tp_btf, LSM, iterators)
 * names at load time: the verifier checks the program against that function's prototype.
 */
record AttachTarget(String btfName, int btfId) {

    /** The target of {@code spec}, or null when its type attaches without BTF. */
    static AttachTarget resolve(ProgramSpec spec) {
        String prefix = prefix(spec);
        if (prefix == null) return null;
        String target = spec.attachTarget();
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException(spec.type() + " program '" + spec.name() + "' (section '"
                    + spec.sectionName() + "') names no attach target; write e.g. SEC(\"fentry/do_unlinkat\")");
        }
        String name = prefix + target;
        Btf kernel = Btf.kernel();
        boolean typedef = spec.attachType() == AttachType.TRACE_RAW_TP;
        int[] ids = kernel.lookup(name, typedef ? BtfType.Typedef.class : BtfType.Func.class);
        if (ids.length == 0) {
            String what = switch (spec.attachType()) {
                case TRACE_RAW_TP -> "tracepoint " + target + " (no " + name + " in kernel BTF)";
                case LSM_MAC -> "LSM hook " + target + " (no " + name + " in kernel BTF)";
                case TRACE_ITER -> "iterator " + target + " (no " + name + " in kernel BTF)";
                default -> "kernel function " + target;
            };
            throw new IllegalArgumentException(spec.type() + " program '" + spec.name() + "' attaches to " + what
                    + ", which this kernel does not have; functions in modules are not supported yet");
        }
        return new AttachTarget(name, ids[0]);
    }

    private static String prefix(ProgramSpec spec) {
        if (spec.attachType() == null) return null;
        return switch (spec.type()) {
            case TRACING -> switch (spec.attachType()) {
                case TRACE_FENTRY, TRACE_FEXIT, MODIFY_RETURN -> "";
                case TRACE_RAW_TP -> "btf_trace_";
                case TRACE_ITER -> "bpf_iter_";
                default -> null;
            };
            case LSM -> spec.attachType() == AttachType.LSM_MAC ? "bpf_lsm_" : null;
            default -> null;
        };
    }
}
