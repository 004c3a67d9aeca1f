package dev.jbcc.tools.memory;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.StackTrace;
import dev.jbcc.bcc.Value;
import dev.jbcc.symbols.Libraries;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc memleak}: outstanding allocations of a process or of the kernel, by stack. */
@Command(name = "memleak", mixinStandardHelpOptions = true,
        description = {"Trace allocations not freed yet, of a process (C library allocators) or of the kernel, by stack."},
        footer = {"", "examples:",
                "    jbcc memleak -p $(pidof allocs)      # outstanding allocations of a process, every 5 seconds",
                "    jbcc memleak -ap $(pidof allocs) 10  # with each allocation's address and size, every 10 s",
                "    jbcc memleak                         # the kernel's (kmalloc, kmem_cache, pages), every 5 s",
                "    jbcc memleak -o 60000                # allocations at least a minute old only",
                "    jbcc memleak -s 5                    # sample about every 5th allocation",
                "    jbcc memleak -z 1024 -p 42           # allocations of 1 KiB and more only",
                "    jbcc memleak -T 3 -p 42 1 4          # the top 3 stacks, every second, 4 times",
                "    jbcc memleak --json -p 42            # one JSON object per stack and report",
                "", "Not supported (yet): -t, -c, --combined-only, --wa-missing-free, -O, --percpu."})
public final class Memleak extends Tool {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "The PID to trace; if not specified, trace kernel allocations.")
    Integer pid;

    @Option(names = {"-a", "--show-allocs"}, description = "Show allocation addresses and sizes as well as call stacks.")
    boolean showAllocs;

    @Option(names = {"-o", "--older"}, paramLabel = "OLDER", description = "Prune allocations younger than this age in milliseconds (default ${DEFAULT-VALUE}).")
    long olderMs = 500;

    @Option(names = {"-s", "--sample-rate"}, paramLabel = "SAMPLE_RATE", description = "Sample every N-th allocation to decrease the overhead.")
    int sampleRate = 1;

    @Option(names = {"-T", "--top"}, paramLabel = "TOP", description = "Display only this many top allocating stacks (by size; default ${DEFAULT-VALUE}).")
    int top = 10;

    @Option(names = {"-z", "--min-size"}, paramLabel = "MIN_SIZE", description = "Capture only allocations larger than this size.")
    long minSize = 0;

    @Option(names = {"-Z", "--max-size"}, paramLabel = "MAX_SIZE", description = "Capture only allocations smaller than this size.")
    Long maxSize;

    @Parameters(index = "0", arity = "0..1", paramLabel = "interval", description = "Interval in seconds to print outstanding allocations (default 5).")
    Integer interval;

    @Parameters(index = "1", arity = "0..1", paramLabel = "count", description = "Number of times to print the report before exiting.")
    Long count;

    private static final String[][] USER_ALLOCATORS = {{"malloc", "malloc_enter"}, {"calloc", "calloc_enter"}, {"realloc", "realloc_enter"},
            {"posix_memalign", "posix_memalign_enter"}, {"aligned_alloc", "aligned_alloc_enter"}, {"valloc", "valloc_enter"}};

    @Override
    protected void run(Session s) {
        if (maxSize != null && minSize > maxSize) throw usage("min_size (-z) can't be greater than max_size (-Z)");
        if (interval != null && interval <= 0) throw usage("interval must be positive, not " + interval);
        if (count != null && count <= 0) throw usage("count must be positive, not " + count);
        if (sampleRate < 1) throw usage("sample rate must be positive, not " + sampleRate);
        boolean user = pid != null;
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("USER", user ? 1 : 0);
        defines.put("MIN_SIZE", minSize + "ULL");
        defines.put("MAX_SIZE", (maxSize == null ? Long.MAX_VALUE : maxSize) + "ULL");
        defines.put("SAMPLE_EVERY", sampleRate);
        defines.put("STACK_FLAGS", user ? "BPF_F_USER_STACK" : "0");
        BPF b;
        if (user) {
            b = s.load(Memleak.class, "memleak.bpf.c", defines);
        } else {
            Hook hook = s.choose(Hook.tracepoint("kmem:kmalloc", "kmem:kfree"));
            defines.put("HAVE_KMALLOC", 1);
            defines.put("HAVE_KMEM_CACHE", BPF.tracepointExists("kmem", "kmem_cache_alloc") && BPF.tracepointExists("kmem", "kmem_cache_free") ? 1 : 0);
            defines.put("HAVE_PAGES", BPF.tracepointExists("kmem", "mm_page_alloc") && BPF.tracepointExists("kmem", "mm_page_free") ? 1 : 0);
            b = s.load(Memleak.class, "memleak.bpf.c", hook, defines);
        }
        try (b) {
            if (user) attachUser(b);
            KeyedTable<?> allocs = b.get("allocs");
            StackTrace stacks = b.get("stack_traces");
            s.ready();
            s.note(user ? "Attaching to pid " + pid + ", Ctrl+C to quit." : "Attaching to kernel allocators, Ctrl+C to quit.");
            s.everyInterval(Duration.ofSeconds(interval == null ? 5 : interval), count == null ? 0 : count, () -> report(s, allocs, stacks));
        }
    }

    private void attachUser(BPF b) {
        String libc = Libraries.resolve("c", pid).toString();
        List<String> present = BPF.getUserFunctions(libc, "(malloc|calloc|realloc|posix_memalign|aligned_alloc|valloc|free)$", pid);
        for (String[] a : USER_ALLOCATORS) {
            if (!present.contains(a[0])) continue;
            b.attachUprobe(libc, a[0], a[1], pid);
            b.attachUretprobe(libc, a[0], a[0].equals("posix_memalign") ? "posix_memalign_return" : "alloc_return", pid);
        }
        b.attachUprobe(libc, "free", "free_call", pid);
    }

    /** One stack's outstanding allocations: {address, size} each. */
    private record Outstanding(int stackId, List<long[]> allocations) {
        long size() {
            return allocations.stream().mapToLong(a -> a[1]).sum();
        }
    }

    private void report(Session s, KeyedTable<?> allocs, StackTrace stacks) {
        long now = System.nanoTime(); // the same clock as bpf_ktime_get_ns (CLOCK_MONOTONIC)
        Map<Integer, Outstanding> byStack = new LinkedHashMap<>();
        for (var e : allocs.items()) {
            Value info = (Value) e.getValue();
            if (now - info.getLong("timestamp_ns") < olderMs * 1_000_000) continue;
            int stack = (int) info.getLong("stack_id");
            byStack.computeIfAbsent(stack, id -> new Outstanding(id, new ArrayList<>())).allocations().add(new long[]{e.getKey().value(), info.getLong("size")});
        }
        List<Outstanding> sorted = new ArrayList<>(byStack.values());
        sorted.sort(Comparator.comparingLong(Outstanding::size));
        List<Outstanding> shown = sorted.subList(Math.max(0, sorted.size() - top), sorted.size());
        if (!s.json()) s.out().printf("[%s] Top %d stacks with outstanding allocations:%n", Session.clock(), top);
        for (Outstanding o : shown) {
            List<String> frames = new ArrayList<>();
            if (o.stackId() >= 0) {
                for (long ip : stacks.walk(o.stackId())) frames.add(pid != null ? BPF.sym(ip, pid, true, true) : BPF.ksym(ip, true, true));
            } else {
                frames.add("[stack not recorded]");
            }
            if (s.json()) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("time", Session.clock());
                j.put("bytes", o.size());
                j.put("allocations", o.allocations().size());
                j.put("stack", frames);
                s.object(j);
                continue;
            }
            if (showAllocs) {
                for (long[] a : o.allocations()) s.out().printf("\taddr = %x size = %d%n", a[0], a[1]);
            }
            s.out().printf("\t%d bytes in %d allocations from stack%n\t\t%s%n", o.size(), o.allocations().size(), String.join("\n\t\t", frames));
        }
    }
}
