package dev.jbcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.BpfException;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.ProgramSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
            String module = moduleWith(name, typedef ? BtfType.Typedef.class : BtfType.Func.class);
            throw new NotFoundException(spec.type() + " program '" + spec.name() + "' attaches to " + what
                    + (module != null
                            ? ", which is in kernel module " + module + "; attaching to a module's functions is not supported yet"
                            : ", which this kernel does not have; check the name against /sys/kernel/btf/vmlinux"
                                    + " (jbcc btf dump | grep " + name + ")"));
        }
        return new AttachTarget(name, ids[0]);
    }

    /** The loaded kernel module whose BTF has {@code name} of {@code kind}, or null. */
    private static String moduleWith(String name, Class<? extends BtfType> kind) {
        try (var dir = Files.newDirectoryStream(Path.of("/sys/kernel/btf"))) {
            for (Path p : dir) {
                String module = p.getFileName().toString();
                if (module.equals("vmlinux")) continue;
                try {
                    if (Btf.kernelModule(module).lookup(name, kind).length > 0) return module;
                } catch (BpfException unloadedMeanwhile) {
                    // gone between the listing and the read, or unreadable: not where the name is
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
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
