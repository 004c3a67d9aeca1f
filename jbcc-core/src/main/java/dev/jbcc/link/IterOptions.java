package dev.jbcc.link;

import dev.jbcc.BpfMap;

/**
 * What an iterator walks ({@code union bpf_iter_link_info}); by default everything its kind covers.
 *
 * @param map for map iterators ({@code iter/bpf_map_elem}, {@code iter/bpf_sk_storage_map}): the map, else null
 * @param pid for task iterators: only this process's tasks/files/vmas (6.1+), or 0
 * @param tid for task iterators: only this thread (6.1+), or 0
 */
public record IterOptions(BpfMap map, int pid, int tid) {
    public IterOptions {
        if (pid < 0 || tid < 0) throw new IllegalArgumentException("pid and tid are positive, or 0 for all");
        if (pid != 0 && tid != 0) throw new IllegalArgumentException("give a pid or a tid, not both");
        if (map != null && (pid != 0 || tid != 0)) throw new IllegalArgumentException("a map iterator takes no pid or tid");
    }

    public static IterOptions all() {
        return new IterOptions(null, 0, 0);
    }

    public static IterOptions ofMap(BpfMap map) {
        return new IterOptions(java.util.Objects.requireNonNull(map, "map"), 0, 0);
    }

    public static IterOptions ofProcess(int pid) {
        return new IterOptions(null, pid, 0);
    }

    public static IterOptions ofThread(int tid) {
        return new IterOptions(null, 0, tid);
    }

    boolean isAll() {
        return map == null && pid == 0 && tid == 0;
    }
}
