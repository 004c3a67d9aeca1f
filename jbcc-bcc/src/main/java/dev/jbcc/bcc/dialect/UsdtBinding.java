package dev.jbcc.bcc.dialect;

import dev.jbcc.usdt.UsdtProbe;

import java.util.Objects;

/**
 * A USDT probe enabled for a program function: in that function, {@code bpf_usdt_readarg(N, ...)}
 * reads the probe's argument N.
 *
 * @param function the C function, a program attached to every site of the probe
 * @param probe    the probe, with its sites in note order (the order of their attach cookies)
 */
public record UsdtBinding(String function, UsdtProbe probe) {
    public UsdtBinding {
        Objects.requireNonNull(probe, "probe");
        if (function == null || !function.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("'" + function + "' is not a C function name");
        }
    }
}
