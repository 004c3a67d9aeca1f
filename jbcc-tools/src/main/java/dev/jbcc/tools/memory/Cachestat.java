package dev.jbcc.tools.memory;

import dev.jbcc.bcc.ArrayTable;
import dev.jbcc.bcc.BPF;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code jbcc cachestat}: page cache hits and misses, system-wide, every interval. */
@Command(name = "cachestat", mixinStandardHelpOptions = true,
        description = {"Count page cache hits, misses and dirtied pages system-wide, with the hit ratio, every interval."},
        footer = {"Needs kprobes: no tracepoint tells when a cached page is accessed.",
                "", "examples:",
                "    jbcc cachestat           # a line every second",
                "    jbcc cachestat -T 1      # with the time",
                "    jbcc cachestat 5 10      # every 5 seconds, 10 times",
                "    jbcc cachestat --json 1  # one JSON object per interval"})
public final class Cachestat extends Tool {
    @Option(names = {"-T", "--timestamp"}, description = "Include timestamp on output.")
    boolean timestamp;

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Output interval, in seconds (default 1).")
    Integer interval;

    @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of outputs.")
    Long count;

    @Override
    protected void run(Session s) {
        if (interval != null && interval <= 0) throw usage("interval must be positive, not " + interval);
        if (count != null && count <= 0) throw usage("count must be positive, not " + count);
        String[] functions = PageCache.functions(s);
        Columns columns = Columns.of("%8d %8d %8d %7.2f%% %12d %10d", "HITS", "MISSES", "DIRTIES", "HITRATIO", "BUFFERS_MB", "CACHED_MB");
        if (timestamp) columns = columns.prepend("%-8s ", "TIME");
        Columns out = columns;
        try (BPF b = s.load(Cachestat.class, "cachestat.bpf.c", Map.of())) {
            PageCache.attach(b, functions);
            ArrayTable counts = b.get("counts");
            s.header(out);
            s.everyInterval(Duration.ofSeconds(interval == null ? 1 : interval), count == null ? 0 : count, () -> {
                long[] n = new long[4];
                for (int i = 0; i < 4; i++) n[i] = counts.get(i).value();
                counts.zero();
                PageCache.Ratio r = PageCache.Ratio.of(n);
                long[] mem = PageCache.buffersAndCachedMb();
                List<Object> row = new ArrayList<>();
                if (timestamp) row.add(Session.clock());
                row.addAll(List.of(r.hits(), r.misses(), r.dirties(), 100 * r.ratio(), mem[0], mem[1]));
                s.row(out, row.toArray());
            });
        }
    }
}
