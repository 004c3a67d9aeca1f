package dev.jbcc.usdt;

import java.util.List;

/**
 * A USDT probe, {@code provider:name}, with all its sites in one binary.
 *
 * @param provider e.g. {@code hotspot}
 * @param name     e.g. {@code gc__begin}
 * @param binary   the file the probe was read from
 * @param sites    the locations, in note order; never empty
 */
public record UsdtProbe(String provider, String name, String binary, List<UsdtSite> sites) {
    public UsdtProbe {
        sites = List.copyOf(sites);
        if (sites.isEmpty()) throw new IllegalArgumentException("a probe has at least one site");
    }

    /** {@code provider:name}, as bcc and bpftrace write it. */
    public String qualifiedName() {
        return provider + ":" + name;
    }

    /** True when any site is guarded by a semaphore (the program only runs the probe while it is non-zero). */
    public boolean hasSemaphore() {
        return sites.stream().anyMatch(UsdtSite::hasSemaphore);
    }

    /** The largest argument count over the sites (they normally agree). */
    public int argumentCount() {
        return sites.stream().mapToInt(s -> s.arguments().size()).max().orElse(0);
    }

    @Override
    public String toString() {
        return qualifiedName() + " (" + sites.size() + " site" + (sites.size() == 1 ? "" : "s") + " in " + binary + ")";
    }
}
