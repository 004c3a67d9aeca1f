package dev.jbcc.link;

import java.util.List;
import java.util.Objects;

/**
 * Several uprobes in one binary behind one {@code uprobe_multi} link (6.6+). The program must be
 * loaded for it: {@code SEC("uprobe.multi")} or {@code SEC("uretprobe.multi")}.
 *
 * @param target        binary path or library name, as in {@link UprobeOptions#target()}
 * @param locations     the probed instructions
 * @param cookies       one {@code bpf_get_attach_cookie()} value per location, or empty
 * @param refCtrOffsets one semaphore file offset (or 0) per location, or empty
 * @param pid           only this process triggers the probes; -1 for every process
 * @param retprobe      fire on return
 */
public record UprobeMultiOptions(String target, List<UprobeOptions.Location> locations, List<Long> cookies,
                                 List<Long> refCtrOffsets, int pid, boolean retprobe) {
    public UprobeMultiOptions {
        Objects.requireNonNull(target, "target");
        locations = List.copyOf(locations);
        cookies = List.copyOf(cookies);
        refCtrOffsets = List.copyOf(refCtrOffsets);
        if (locations.isEmpty()) throw new IllegalArgumentException("no locations to probe");
        if (!cookies.isEmpty() && cookies.size() != locations.size()) {
            throw new IllegalArgumentException(cookies.size() + " cookies for " + locations.size() + " locations");
        }
        if (!refCtrOffsets.isEmpty() && refCtrOffsets.size() != locations.size()) {
            throw new IllegalArgumentException(refCtrOffsets.size() + " semaphore offsets for " + locations.size() + " locations");
        }
        if (pid == 0 || pid < -1) throw new IllegalArgumentException("pid must be a process id or -1 for all, not " + pid);
    }

    /** Entry of each named function in {@code target}, every process. */
    public static UprobeMultiOptions symbols(String target, List<String> symbols) {
        return new UprobeMultiOptions(target,
                symbols.stream().<UprobeOptions.Location>map(s -> new UprobeOptions.Location.Symbol(s, 0)).toList(),
                List.of(), List.of(), -1, false);
    }

    public UprobeMultiOptions withPid(int pid) {
        return new UprobeMultiOptions(target, locations, cookies, refCtrOffsets, pid, retprobe);
    }

    public UprobeMultiOptions withCookies(List<Long> cookies) {
        return new UprobeMultiOptions(target, locations, cookies, refCtrOffsets, pid, retprobe);
    }

    public UprobeMultiOptions withRefCtrOffsets(List<Long> refCtrOffsets) {
        return new UprobeMultiOptions(target, locations, cookies, refCtrOffsets, pid, retprobe);
    }

    public UprobeMultiOptions asRetprobe() {
        return new UprobeMultiOptions(target, locations, cookies, refCtrOffsets, pid, true);
    }
}
