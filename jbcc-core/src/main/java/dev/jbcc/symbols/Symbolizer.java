package dev.jbcc.symbols;

/** Turns addresses into symbols: {@link KernelSymbols} for the kernel, {@link UserSymbols} for a process. */
public interface Symbolizer {
    /** The symbol covering {@code address}; {@link ResolvedAddress#isKnown()} is false when there is none. */
    ResolvedAddress resolve(long address);
}
