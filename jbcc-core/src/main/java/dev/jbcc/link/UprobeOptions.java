package dev.jbcc.link;

import java.util.Objects;

/**
 * Where and how to attach a uprobe or uretprobe.
 *
 * @param target       the binary: a path ({@code /usr/bin/bash}), or a library name ({@code "c"},
 *                     {@code "libc.so.6"}) resolved through the process's maps (with a pid) and
 *                     {@code /etc/ld.so.cache}
 * @param location     the instruction to probe
 * @param pid          only this process triggers the probe; -1 for every process
 * @param retprobe     fire on return (uretprobe) instead of on entry
 * @param refCtrOffset file offset of a USDT semaphore the kernel increments while the probe is
 *                     attached (4.20+), or 0
 * @param cookie       value the program reads with {@code bpf_get_attach_cookie()} (needs a bpf_link: 5.15+)
 * @param method       how to create the probe; {@link Method#AUTO} picks the best the kernel has
 */
public record UprobeOptions(String target, Location location, int pid, boolean retprobe, long refCtrOffset,
                            long cookie, Method method) {
    public UprobeOptions {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(method, "method");
        if (pid == 0 || pid < -1) throw new IllegalArgumentException("pid must be a process id or -1 for all, not " + pid);
        if (refCtrOffset < 0) throw new IllegalArgumentException("negative semaphore offset " + refCtrOffset);
    }

    /** The probed instruction: named by symbol, by the file's virtual address, or by file offset. */
    public sealed interface Location {
        /** {@code offset} bytes into the function {@code name} (from .symtab, else .dynsym). */
        record Symbol(String name, long offset) implements Location {
            public Symbol {
                Objects.requireNonNull(name, "name");
                if (name.isEmpty()) throw new IllegalArgumentException("empty symbol name");
                if (offset < 0) throw new IllegalArgumentException("negative offset " + offset);
            }
        }

        /** A virtual address as the ELF file's symbols and disassembly show it (not a process address). */
        record Address(long address) implements Location {}

        /** A file offset, what the kernel takes directly. */
        record FileOffset(long offset) implements Location {
            public FileOffset {
                if (offset < 0) throw new IllegalArgumentException("negative offset " + offset);
            }
        }
    }

    /** How the probe is created and the program attached. */
    public enum Method {
        /** The uprobe PMU with a bpf_link; else the PMU with the ioctl; else tracefs. */
        AUTO,
        /** perf_event_open on the uprobe PMU (4.17+), program through BPF_LINK_CREATE (5.15+). */
        PMU_LINK,
        /** perf_event_open on the uprobe PMU, program through PERF_EVENT_IOC_SET_BPF (no cookie, no pin). */
        PMU_IOCTL,
        /** A {@code uprobe_events} entry in tracefs and a tracepoint perf event (the oldest way), with a bpf_link when the kernel has it. */
        TRACEFS
    }

    /** Entry of {@code symbol} in {@code target}, every process. */
    public static UprobeOptions symbol(String target, String symbol) {
        return new UprobeOptions(target, new Location.Symbol(symbol, 0), -1, false, 0, 0, Method.AUTO);
    }

    /** The instruction at virtual address {@code address} of {@code target}. */
    public static UprobeOptions address(String target, long address) {
        return new UprobeOptions(target, new Location.Address(address), -1, false, 0, 0, Method.AUTO);
    }

    /** The instruction at file offset {@code offset} of {@code target}. */
    public static UprobeOptions fileOffset(String target, long offset) {
        return new UprobeOptions(target, new Location.FileOffset(offset), -1, false, 0, 0, Method.AUTO);
    }

    /** Adds {@code offset} bytes to a symbol location. */
    public UprobeOptions withSymbolOffset(long offset) {
        if (!(location instanceof Location.Symbol s)) {
            throw new IllegalStateException("withSymbolOffset applies to a symbol location, not " + location);
        }
        return new UprobeOptions(target, new Location.Symbol(s.name(), offset), pid, retprobe, refCtrOffset, cookie, method);
    }

    public UprobeOptions withPid(int pid) {
        return new UprobeOptions(target, location, pid, retprobe, refCtrOffset, cookie, method);
    }

    /** A uretprobe: fires when the function returns. */
    public UprobeOptions asRetprobe() {
        return new UprobeOptions(target, location, pid, true, refCtrOffset, cookie, method);
    }

    public UprobeOptions withRefCtrOffset(long refCtrOffset) {
        return new UprobeOptions(target, location, pid, retprobe, refCtrOffset, cookie, method);
    }

    public UprobeOptions withCookie(long cookie) {
        return new UprobeOptions(target, location, pid, retprobe, refCtrOffset, cookie, method);
    }

    public UprobeOptions withMethod(Method method) {
        return new UprobeOptions(target, location, pid, retprobe, refCtrOffset, cookie, method);
    }
}
