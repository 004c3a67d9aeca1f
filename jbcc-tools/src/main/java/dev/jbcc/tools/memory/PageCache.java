package dev.jbcc.tools.memory;

import dev.jbcc.bcc.BPF;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Feature;
import dev.jbcc.features.Features;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What cachestat and cachetop count of the page cache: four kernel functions, found by kprobes
 * (no tracepoint says when a cached page is accessed). The names moved to folios over the
 * versions; each role takes the first the running kernel can probe. The counts become hits and
 * misses as bcc's tools reckon them.
 */
final class PageCache {
    /** The roles, in the order of the counters in the BPF programs. */
    static final int ACCESSED = 0, BUFFER_DIRTIED = 1, ADDED = 2, DIRTIED = 3;

    private static final List<List<String>> CANDIDATES = List.of(
            List.of("folio_mark_accessed", "mark_page_accessed"),
            List.of("mark_buffer_dirty"),
            List.of("filemap_add_folio", "add_to_page_cache_lru"),
            List.of("folio_account_dirtied", "account_page_dirtied", "__folio_mark_dirty"));

    private PageCache() {
    }

    /**
     * The kernel function of each role.
     *
     * @throws UnsupportedFeatureException naming what is missing (kprobes, or a role's functions)
     */
    static String[] functions(Session s) {
        if (!Features.haveKprobes()) {
            throw new UnsupportedFeatureException("kprobes (" + Feature.KPROBES.buildOption() + ")", null,
                    s.tool() + " counts page cache accesses in kernel functions, which no tracepoint marks");
        }
        String[] chosen = new String[CANDIDATES.size()];
        for (int role = 0; role < chosen.length; role++) {
            Hook[] hooks = CANDIDATES.get(role).stream().map(Hook::kprobe).toArray(Hook[]::new);
            Hook h = s.choose(hooks);
            chosen[role] = ((Hook.Kprobe) h).functions().getFirst();
        }
        return chosen;
    }

    /** Attaches the program's {@code count_0} … {@code count_3} to the roles' functions. */
    static void attach(BPF b, String[] functions) {
        for (int role = 0; role < functions.length; role++) b.attachKprobe(functions[role], "count_" + role);
    }

    /** bcc cachestat's arithmetic: hits, misses and the hit ratio (0..1) from the four counts. */
    record Ratio(long hits, long misses, long dirties, double ratio) {
        static Ratio of(long[] counts) {
            long total = Math.max(0, counts[ACCESSED] - counts[BUFFER_DIRTIED]);
            long misses = Math.max(0, counts[ADDED] - counts[DIRTIED]);
            long hits = total - misses;
            // read-ahead may add more pages than were asked for: then count every access a miss
            if (hits < 0) {
                misses = total;
                hits = 0;
            }
            return new Ratio(hits, misses, counts[BUFFER_DIRTIED], total > 0 ? (double) hits / total : 0);
        }
    }

    /** {@code Buffers} and {@code Cached} of /proc/meminfo, in MB. */
    static long[] buffersAndCachedMb() {
        long[] out = new long[2];
        try (var lines = Files.lines(Path.of("/proc/meminfo"))) {
            lines.forEach(l -> {
                if (l.startsWith("Buffers:")) out[0] = Long.parseLong(l.replaceAll("\\D", "")) / 1024;
                if (l.startsWith("Cached:")) out[1] = Long.parseLong(l.replaceAll("\\D", "")) / 1024;
            });
        } catch (IOException e) {
            return new long[]{-1, -1};
        }
        return out;
    }
}
