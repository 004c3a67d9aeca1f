package dev.jbcc.bcc.dialect;

import dev.jbcc.usdt.UsdtCodegen;
import dev.jbcc.usdt.UsdtProbe;

import java.util.List;

/**
 * The C a program with USDT contexts is compiled with, force-included after the prelude (so no
 * user line moves): for each function a probe is enabled for, {@link UsdtCodegen}'s readers
 * {@code _bpf_readarg_FN_N} (sites told apart by the attach cookie, which
 * {@link dev.jbcc.link.UsdtLink} sets to the site's index), and the two macros the pre-pass turns
 * bcc's {@code bpf_usdt_readarg} and {@code bpf_usdt_readarg_p} into.
 */
final class UsdtHeader {
    private UsdtHeader() {}

    static String text(List<UsdtBinding> bindings) {
        var c = new StringBuilder("/* jbcc: USDT argument readers for ").append(bindings.size())
                .append(" probe function(s) */\n#pragma once\nstruct pt_regs;\n");
        // bcc: readarg stores the argument, sized to the destination, and returns 0 or -1.
        c.append("#define __JBCC_USDT_READARG(fn, n, ctx, dest) _bpf_readarg_##fn##_##n(ctx, dest, sizeof(*(dest)))\n");
        // bcc: readarg_p treats the argument as a user pointer and copies len bytes from it.
        c.append("#define __JBCC_USDT_READARG_P(fn, n, ctx, buf, len) ({ unsigned long __jbcc_addr = 0;"
                + " _bpf_readarg_##fn##_##n(ctx, &__jbcc_addr, sizeof(__jbcc_addr));"
                + " bpf_probe_read_user(buf, len, (const void *)__jbcc_addr); })\n");
        for (UsdtBinding b : bindings) c.append(UsdtCodegen.readers(b.probe(), b.function()));
        return c.toString();
    }

    /** A probe's argument count per function, for the pre-pass's checks. */
    static java.util.Map<String, Integer> argumentCounts(List<UsdtBinding> bindings) {
        var out = new java.util.LinkedHashMap<String, Integer>();
        for (UsdtBinding b : bindings) out.put(b.function(), b.probe().argumentCount());
        return out;
    }
}
