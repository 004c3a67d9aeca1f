package dev.jbcc.usdt;

import java.util.List;

/**
 * One location of a USDT probe: a {@code .note.stapsdt} entry. A probe written once in source can
 * have several sites (inlined functions, several call sites), each with its own argument specs.
 *
 * @param provider          e.g. {@code hotspot}
 * @param name              e.g. {@code thread__start}
 * @param address           the site's virtual address (a nop), corrected for prelinking
 * @param fileOffset        the same instruction as a file offset: where the uprobe goes
 * @param semaphoreAddress  virtual address of the probe's semaphore, or 0 when it has none
 * @param semaphoreOffset   file offset of the semaphore (the uprobe's {@code ref_ctr_offset}), or 0
 * @param arguments         the parsed arguments, in order
 * @param argumentText      the note's raw argument string
 */
public record UsdtSite(String provider, String name, long address, long fileOffset, long semaphoreAddress,
                       long semaphoreOffset, List<UsdtArgument> arguments, String argumentText) {
    public UsdtSite {
        arguments = List.copyOf(arguments);
    }

    public boolean hasSemaphore() {
        return semaphoreAddress != 0;
    }
}
