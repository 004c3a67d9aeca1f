package dev.jbcc.tools;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.UnsupportedFeatureException;

import java.util.List;

/**
 * What tools ask of a kernel function's signature, from the kernel's BTF: kernel functions gain
 * and lose parameters between versions (vfs_unlink took a user_namespace in 5.12, an mnt_idmap
 * in 6.3), so a kprobe reads an argument by the position this kernel has it at.
 */
public final class KernelFunctions {
    private KernelFunctions() {
    }

    /**
     * The position (1-based, as {@code PT_REGS_PARM1..}) of {@code function}'s parameter called
     * {@code parameter} in this kernel.
     *
     * @throws UnsupportedFeatureException when the function or the parameter is not in the kernel's BTF
     */
    public static int argument(String function, String parameter) {
        List<String> params = parameters(function);
        int i = params.indexOf(parameter);
        if (i >= 0) return i + 1;
        throw new UnsupportedFeatureException("parameter " + parameter + " of " + function, null,
                "this kernel's " + function + " takes " + params);
    }

    /**
     * The names of {@code function}'s parameters in this kernel, in order.
     *
     * @throws UnsupportedFeatureException when the function is not in the kernel's BTF
     */
    public static List<String> parameters(String function) {
        Btf btf = Btf.kernel();
        BtfType.Func f = btf.func(function).orElseThrow(() ->
                new UnsupportedFeatureException("kernel function " + function, null, "it is not in this kernel's BTF"));
        return btf.type(f.type(), BtfType.FuncProto.class).params().stream().map(BtfType.Param::name).toList();
    }
}
