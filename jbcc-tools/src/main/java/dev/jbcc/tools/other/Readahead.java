package dev.jbcc.tools.other;

import dev.jbcc.bcc.ArrayTable;
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc readahead}: how much of what the kernel read ahead was used, and how soon. */
@Command(name = "readahead", mixinStandardHelpOptions = true,
        description = {"Show read-ahead pages never used, and the age of the used ones when first used."},
        footer = {"", "examples:",
                "    jbcc readahead                 # until Ctrl-C",
                "    jbcc readahead -d 20           # for 20 seconds",
                "    jbcc readahead --json -d 5     # as JSON: the unused pages and the histogram"})
public final class Readahead extends Tool {
    static final Hook KPROBES = Hook.kprobe("page_cache_ra_unbounded", "page_cache_ra_order", "filemap_alloc_folio", "folio_mark_accessed");
    static final Hook FENTRY = Hook.fentry("page_cache_ra_unbounded", "page_cache_ra_order", "filemap_alloc_folio", "folio_mark_accessed");
    static final Hook TRACEPOINTS = Hook.tracepoint("readahead:page_cache_ra_unbounded", "readahead:page_cache_ra_order",
            "filemap:mm_filemap_add_to_page_cache", "filemap:mm_filemap_get_pages", "filemap:mm_filemap_fault");

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration to monitor for, in seconds.")
    Integer duration;

    @Override
    protected void run(Session s) {
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        Hook hook = s.choose(KPROBES, FENTRY, TRACEPOINTS);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("MAX_PAGES_PER_READ", 256);
        try (BPF b = s.load(Readahead.class, "readahead.bpf.c", hook, defines)) {
            s.ready();
            s.note("Tracing... Hit Ctrl-C to end.");
            s.sleep(duration == null ? Duration.ofDays(365 * 100) : Duration.ofSeconds(duration));
            long unused = b.<ArrayTable>get("pages").get(0L).value();
            Histogram.Options options = Histogram.Options.defaults().withValType("age (ms)");
            if (s.json()) {
                // the count, then the histogram in bcc's JSON form
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("unused_pages", unused);
                s.object(o);
                s.log2Hist(b.get("dist"), options);
                return;
            }
            s.out().println();
            s.out().println("Read-ahead unused pages: " + unused);
            s.out().println("Histogram of read-ahead used page age (ms):");
            s.out().println();
            s.log2Hist(b.get("dist"), options);
        }
    }
}
