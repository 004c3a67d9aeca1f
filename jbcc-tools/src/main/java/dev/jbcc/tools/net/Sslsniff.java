package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.symbols.Libraries;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import dev.jbcc.tools.Users;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbcc sslsniff}: the plain text of TLS reads and writes in OpenSSL, GnuTLS and NSS. */
@Command(name = "sslsniff", mixinStandardHelpOptions = true,
        description = {"Sniff TLS data: what programs write and read through OpenSSL, GnuTLS and NSS, before encryption."},
        footer = {"", "examples:",
                "    jbcc sslsniff                  # every TLS read and write",
                "    jbcc sslsniff -p 181           # process 181 only",
                "    jbcc sslsniff -u 1000          # UID 1000 only",
                "    jbcc sslsniff -c curl          # processes named curl only",
                "    jbcc sslsniff --no-openssl     # leave OpenSSL out (-g GnuTLS, -n NSS)",
                "    jbcc sslsniff -x               # with UID and TID columns",
                "    jbcc sslsniff -l               # with each call's latency",
                "    jbcc sslsniff --hexdump        # the data as hex",
                "    jbcc sslsniff --extra-lib openssl:/opt/app/libssl.so.3  # a library of a program's own too",
                "    jbcc sslsniff --json           # one JSON object per call, the data as text"})
public final class Sslsniff extends Tool {
    /** A TLS library: the name to look it up by, its write and read functions (entry program for each). */
    private record Library(String title, String name, Map<String, String> writes, Map<String, String> reads) {
    }

    private static final Library OPENSSL = new Library("OpenSSL", "ssl",
            Map.of("SSL_write", "write_entry", "SSL_write_ex", "write_ex_entry"),
            Map.of("SSL_read", "read_entry", "SSL_read_ex", "read_ex_entry"));
    private static final Library GNUTLS = new Library("GnuTLS", "gnutls",
            Map.of("gnutls_record_send", "write_entry"), Map.of("gnutls_record_recv", "read_entry"));
    private static final Library NSS = new Library("NSS", "nspr4",
            Map.of("PR_Write", "write_entry", "PR_Send", "write_entry"), Map.of("PR_Read", "read_entry", "PR_Recv", "read_entry"));

    /** Pages of each CPU's perf buffer. */
    private static final int PAGES = 64;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Sniff this PID only.")
    Integer pid;

    @Option(names = {"-u", "--uid"}, paramLabel = "UID", description = "Sniff this UID (or user name) only.")
    String user;

    @Option(names = {"-x", "--extra"}, description = "Show extra fields (UID, TID).")
    boolean extra;

    @Option(names = {"-c", "--comm"}, paramLabel = "COMM", description = "Sniff only commands of this name.")
    String comm;

    @Option(names = {"-o", "--no-openssl"}, description = "Do not show OpenSSL calls.")
    boolean noOpenssl;

    @Option(names = {"-g", "--no-gnutls"}, description = "Do not show GnuTLS calls.")
    boolean noGnutls;

    @Option(names = {"-n", "--no-nss"}, description = "Do not show NSS calls.")
    boolean noNss;

    @Option(names = "--hexdump", description = "Show the data as hex instead of text.")
    boolean hexdump;

    @Option(names = "--max-buffer-size", paramLabel = "MAX_BUFFER_SIZE", description = "Bytes of data kept per call (default ${DEFAULT-VALUE}).")
    int maxBufferSize = 8192;

    @Option(names = {"-l", "--latency"}, description = "Show each call's latency.")
    boolean latency;

    @Option(names = "--extra-lib", paramLabel = "EXTRA_LIB", description = "Sniff calls into this library too, as TYPE:PATH (TYPE openssl, gnutls or nss).")
    List<String> extraLibs = new ArrayList<>();

    @Override
    protected void run(Session s) {
        if (maxBufferSize < 1 || maxBufferSize > 32768 || Integer.bitCount(maxBufferSize) != 1) {
            throw usage("--max-buffer-size must be a power of two from 1 to 32768, not " + maxBufferSize);
        }
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("MAX_BUF", maxBufferSize);
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_UID", user == null ? -1 : Users.uid(user).orElseThrow(() -> usage("no user " + user)));
        List<Library> wanted = new ArrayList<>();
        if (!noOpenssl) wanted.add(OPENSSL);
        if (!noGnutls) wanted.add(GNUTLS);
        if (!noNss) wanted.add(NSS);
        for (String extra : extraLibs) {
            int colon = extra.indexOf(':');
            Library type = colon < 0 ? null : switch (extra.substring(0, colon)) {
                case "openssl" -> OPENSSL;
                case "gnutls" -> GNUTLS;
                case "nss" -> NSS;
                default -> null;
            };
            if (type == null) throw usage("--extra-lib " + extra + " is not TYPE:PATH with TYPE openssl, gnutls or nss");
            wanted.add(new Library(type.title(), extra.substring(colon + 1), type.writes(), type.reads()));
        }
        if (wanted.isEmpty()) throw usage("-o, -g and -n leave no TLS library to sniff");

        try (BPF b = s.load(Sslsniff.class, "sslsniff.bpf.c", defines)) {
            List<String> missing = new ArrayList<>();
            int attached = 0;
            for (Library lib : wanted) {
                String path;
                try {
                    path = Libraries.resolve(lib.name(), pid == null ? -1 : pid).toString();
                } catch (NotFoundException e) {
                    missing.add(lib.title() + " (" + (lib.name().contains("/") ? lib.name() : "lib" + lib.name()) + ")");
                    continue;
                }
                attached += attach(b, path, lib.writes(), "write_return") + attach(b, path, lib.reads(), "read_return");
                s.verbose("uprobes on " + path);
            }
            if (attached == 0) {
                throw new NotFoundException("sslsniff found no TLS library to sniff: " + String.join(", ", missing)
                        + " not installed; install one, or leave out -o/-g/-n");
            }
            String header = String.format("%-12s %-18s %-16s %-7s %-7s", "FUNC", "TIME(s)", "COMM", "PID", "LEN")
                    + (extra ? String.format(" %-7s %-7s", "UID", "TID") : "") + (latency ? String.format(" %-7s", "LAT(ms)") : "");
            long[] first = {0};
            PerfEventArray events = b.get("events");
            // each event carries up to --max-buffer-size bytes: room for many per CPU between polls
            events.openPerfBuffer((cpu, data, size) -> print(s, events.event(data), first), PAGES,
                    lost -> s.note("sslsniff: lost " + lost + " events (the reader fell behind)"));
            if (!s.json()) s.out().println(header);
            s.ready();
            s.pollUntilStopped(b, null);
        }
    }

    /** Uprobes on those of {@code functions} the library has; how many. */
    private static int attach(BPF b, String path, Map<String, String> functions, String onReturn) {
        int n = 0;
        for (var f : functions.entrySet()) {
            try {
                b.attachUprobe(path, f.getKey(), f.getValue(), -1);
                b.attachUretprobe(path, f.getKey(), onReturn, -1);
                n++;
            } catch (NotFoundException e) {
                // an older version without this function (SSL_write_ex came with OpenSSL 1.1.1)
            }
        }
        return n;
    }

    private void print(Session s, Value e, long[] first) {
        String command = e.getString("comm");
        if (comm != null && !comm.equals(command)) return;
        long len = e.getLong("len");
        int kept = e.getLong("buf_filled") == 1 ? (int) Math.min(len, maxBufferSize) : 0;
        byte[] bytes = new byte[kept];
        System.arraycopy(e.field("buf").toByteArray(), 0, bytes, 0, kept);
        if (first[0] == 0) first[0] = e.getLong("ts_ns");
        double time = (e.getLong("ts_ns") - first[0]) / 1e9;
        String func = e.getLong("rw") == 1 ? "WRITE/SEND" : "READ/RECV";
        String lat = String.format("%.3f", e.getLong("delta_ns") / 1e6);
        String text = hexdump ? wrap(HexFormat.of().formatHex(bytes), 32) : new String(bytes, StandardCharsets.UTF_8);
        if (s.json()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("func", func);
            o.put("time_s", time);
            o.put("comm", command);
            o.put("pid", e.getLong("pid"));
            o.put("len", len);
            if (extra) {
                o.put("uid", e.getLong("uid"));
                o.put("tid", e.getLong("tid"));
            }
            if (latency) o.put("lat_ms", lat);
            o.put("data", text);
            if (len > kept) o.put("lost", len - kept);
            s.object(o);
            return;
        }
        StringBuilder line = new StringBuilder(String.format("%-12s %-18.9f %-16s %-7d %-6d", func, time, command, e.getLong("pid"), len));
        if (extra) line.append(String.format(" %-7d %-7d", e.getLong("uid"), e.getLong("tid")));
        if (latency) line.append(String.format(" %-7s", lat));
        s.out().println(line);
        if (kept == 0) return;
        s.out().println("----- DATA -----");
        s.out().println(text);
        s.out().println(len > kept ? "----- END DATA (TRUNCATED, " + (len - kept) + " bytes lost) -----" : "----- END DATA -----");
        s.out().println();
    }

    private static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i += width) {
            if (i > 0) out.append('\n');
            out.append(text, i, Math.min(text.length(), i + width));
        }
        return out.toString();
    }
}
