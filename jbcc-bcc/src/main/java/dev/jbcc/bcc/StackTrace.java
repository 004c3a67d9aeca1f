package dev.jbcc.bcc;

import dev.jbcc.BpfMap;
import dev.jbcc.bcc.dialect.BccTable;
import dev.jbcc.symbols.KernelSymbols;
import dev.jbcc.symbols.ResolvedAddress;
import dev.jbcc.symbols.StackTraces;
import dev.jbcc.symbols.Symbolizer;
import dev.jbcc.symbols.UserSymbols;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * bcc's StackTrace (BPF_STACK_TRACE): stacks that {@code table.get_stackid(ctx, flags)} stored,
 * by id. {@link #walk} gives a stack's addresses innermost first (as bcc's {@code walk}),
 * {@link #symbolize} names them.
 */
public final class StackTrace extends ValueTable {
    /** bcc's StackTrace.MAX_DEPTH: walks stop after this many frames. */
    public static final int MAX_DEPTH = 127;

    StackTrace(BPF bpf, BccTable declaration, BpfMap map) {
        super(bpf, declaration, map);
    }

    @Override
    long count(Value leaf) {
        throw new IllegalStateException("table " + name() + " holds stacks, not counts");
    }

    /**
     * The addresses of stack {@code stackId}, innermost first, up to the first zero; empty for a
     * negative id (get_stackid's error) or an id the table no longer has.
     */
    public List<Long> walk(int stackId) {
        long[] ips = StackTraces.read(map, stackId);
        List<Long> out = new ArrayList<>(Math.min(ips.length, MAX_DEPTH));
        for (int i = 0; i < ips.length && i < MAX_DEPTH; i++) out.add(ips[i]);
        return out;
    }

    /** {@link #walk(int)} with each address passed through {@code resolve} (bcc's {@code walk(id, resolve)}). */
    public <T> List<T> walk(int stackId, LongFunction<T> resolve) {
        List<T> out = new ArrayList<>();
        for (long ip : walk(stackId)) out.add(resolve.apply(ip));
        return out;
    }

    /**
     * Stack {@code stackId} with symbols: kernel symbols for a negative {@code pid} (a kernel
     * stack), else those of process {@code pid}'s mappings (a user stack).
     */
    public List<ResolvedAddress> symbolize(int stackId, int pid) {
        Symbolizer symbols = pid < 0 ? KernelSymbols.shared() : UserSymbols.of(pid);
        return StackTraces.read(map, stackId, symbols);
    }
}
