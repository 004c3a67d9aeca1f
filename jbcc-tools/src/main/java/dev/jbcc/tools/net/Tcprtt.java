package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc tcprtt}: TCP smoothed round-trip times as a histogram. */
@Command(name = "tcprtt", mixinStandardHelpOptions = true,
        description = {"Summarize TCP round-trip time (srtt) as a histogram."},
        footer = {"", "examples:",
                "    jbcc tcprtt                    # summarize TCP RTT until Ctrl-C",
                "    jbcc tcprtt -i 1 -d 10         # 1 second summaries for 10 seconds",
                "    jbcc tcprtt -m -T              # milliseconds, with timestamps",
                "    jbcc tcprtt -p 80              # local port 80 only",
                "    jbcc tcprtt -P 80              # remote port 80 only",
                "    jbcc tcprtt -a 192.168.1.100   # local address 192.168.1.100 only",
                "    jbcc tcprtt -A 192.168.1.100   # remote address 192.168.1.100 only",
                "    jbcc tcprtt -b                 # a histogram per local address",
                "    jbcc tcprtt -B                 # a histogram per remote address",
                "    jbcc tcprtt -e                 # with the average RTT of each histogram",
                "    jbcc tcprtt -4                 # IPv4 only (-6: IPv6 only)",
                "    jbcc tcprtt --json             # JSON histograms"})
public final class Tcprtt extends Tool {
    @Option(names = {"-i", "--interval"}, paramLabel = "INTERVAL", description = "Summary interval, seconds.")
    Integer interval;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of the trace, seconds.")
    Integer duration;

    @Option(names = {"-T", "--timestamp"}, description = "Include a timestamp on output.")
    boolean timestamp;

    @Option(names = {"-m", "--milliseconds"}, description = "Millisecond histogram.")
    boolean milliseconds;

    @Option(names = {"-p", "--lport"}, paramLabel = "LPORT", description = "Local port only.")
    Integer lport;

    @Option(names = {"-P", "--rport"}, paramLabel = "RPORT", description = "Remote port only.")
    Integer rport;

    @Option(names = {"-a", "--laddr"}, paramLabel = "LADDR", description = "Local IPv4 address only.")
    String laddr;

    @Option(names = {"-A", "--raddr"}, paramLabel = "RADDR", description = "Remote IPv4 address only.")
    String raddr;

    @Option(names = {"-b", "--byladdr"}, description = "A histogram per local address.")
    boolean byLaddr;

    @Option(names = {"-B", "--byraddr"}, description = "A histogram per remote address.")
    boolean byRaddr;

    @Option(names = {"-e", "--extension"}, description = "Show the average of each histogram.")
    boolean extension;

    @Mixin
    Inet.Families families = new Inet.Families();

    @Override
    protected void run(Session s) {
        if (byLaddr && byRaddr) throw usage("-b and -B cannot be used together");
        if (interval != null && interval <= 0) throw usage("interval must be positive, not " + interval);
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("FILTER_FAMILY", families.family());
        defines.put("LPORT", lport == null ? -1 : lport);
        defines.put("RPORT", rport == null ? -1 : rport);
        defines.put("LADDR", laddr == null ? 0 : ipv4(laddr));
        defines.put("RADDR", raddr == null ? 0 : ipv4(raddr));
        defines.put("SECTION", byLaddr ? 1 : byRaddr ? 2 : 0);
        defines.put("FACTOR", milliseconds ? 1000 : 1);
        defines.put("EXTENSION", extension ? 1 : 0);
        String unit = milliseconds ? "msecs" : "usecs";
        String header = byLaddr ? "Local Address" : byRaddr ? "Remote Address" : "All Addresses";
        long every = interval == null ? 99_999_999L : interval;
        long count = duration == null ? 0 : Math.max(1, duration / every);

        Hook hook = s.choose(Hook.tracepoint("tcp:tcp_probe"));
        try (BPF b = s.load(Tcprtt.class, "tcprtt.bpf.c", hook, defines)) {
            KeyedTable<?> hist = b.get("hist");
            KeyedTable<?> ext = b.get("ext");
            s.ready();
            s.note("Tracing TCP RTT... Hit Ctrl-C to end.");
            s.everyInterval(Duration.ofSeconds(duration != null && interval == null ? duration : every), count, () -> {
                Map<Long, String> averages = new HashMap<>();
                if (extension) {
                    for (var e : ext.items()) {
                        Value v = (Value) e.getValue();
                        long n = v.getLong("count");
                        averages.put(e.getKey().value(), " [AVG " + (n == 0 ? 0 : v.getLong("total") / n) + "]");
                    }
                }
                if (!s.json()) {
                    s.out().println();
                    if (timestamp) s.out().println(Session.clock());
                }
                s.log2Hist(hist, Histogram.Options.defaults().withValType(unit).withSection(header, k -> {
                    long a = ((Number) k).longValue();
                    return (a == 0 ? "*******" : Inet.address(Inet.AF_INET, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                            .putInt((int) a).array())) + averages.getOrDefault(a, "");
                }));
                hist.clear();
                ext.clear();
            });
        }
    }

    /** An IPv4 address as the u32 the kernel holds (network order, read as a little-endian number). */
    private long ipv4(String text) {
        try {
            InetAddress a = InetAddress.ofLiteral(text);
            if (!(a instanceof Inet4Address)) throw usage(text + " is not an IPv4 address");
            return ByteBuffer.wrap(a.getAddress()).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        } catch (IllegalArgumentException e) {
            throw usage(text + " is not an IPv4 address");
        }
    }
}
