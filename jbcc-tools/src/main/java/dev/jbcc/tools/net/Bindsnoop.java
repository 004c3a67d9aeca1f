package dev.jbcc.tools.net;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.Errno;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Containers;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Inet;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Stamps;
import dev.jbcc.tools.Tool;
import dev.jbcc.tools.Users;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code jbcc bindsnoop}: bind(2) on IP sockets, with the address, port and options bound. */
@Command(name = "bindsnoop", mixinStandardHelpOptions = true,
        description = {"Trace IP socket binds: the process, protocol, address, port, options and interface of each."},
        footer = {"", "examples:",
                "    jbcc bindsnoop                 # every bind() of an IP socket",
                "    jbcc bindsnoop -t              # with a timestamp column",
                "    jbcc bindsnoop -w              # wide columns (fit IPv6 addresses)",
                "    jbcc bindsnoop -p 181          # process 181 only",
                "    jbcc bindsnoop -P 80,81        # ports 80 and 81 only",
                "    jbcc bindsnoop -E              # failed binds too, with their error",
                "    jbcc bindsnoop -U -u 1000      # with a UID column, UID 1000 only",
                "    jbcc bindsnoop --count         # count binds per address and port; print on Ctrl-C",
                "    jbcc bindsnoop --cgroupmap /sys/fs/bpf/cg   # only cgroups in this pinned map (--mntnsmap: mount namespaces)",
                "    jbcc bindsnoop --json          # one JSON object per bind",
                "",
                "OPTS: F freebind, T transparent, N bind-address-no-port, R reuseaddr, r reuseport."})
public final class Bindsnoop extends Tool {
    @Option(names = {"-t", "--timestamp"}, description = "Include a timestamp column (seconds since the first bind).")
    boolean timestamp;

    @Option(names = {"-w", "--wide"}, description = "Wide columns (fit IPv6 addresses).")
    boolean wide;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this PID only.")
    Integer pid;

    @Option(names = {"-P", "--port"}, paramLabel = "PORT", description = "Comma-separated ports to trace.")
    String ports;

    @Option(names = {"-E", "--errors"}, description = "Include failed binds, with their error.")
    boolean errors;

    @Option(names = {"-U", "--print-uid"}, description = "Include a UID column.")
    boolean printUid;

    @Option(names = {"-u", "--uid"}, paramLabel = "UID", description = "Trace this UID (or user name) only.")
    String user;

    @Mixin
    Containers containers = new Containers();

    @Option(names = "--count", description = "Count binds per address and port; print on Ctrl-C.")
    boolean count;

    @Override
    protected void run(Session s) {
        Map<String, Object> defines = new LinkedHashMap<>();
        try {
            defines.put("PORT_OK", Inet.portTest("port", ports));
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        defines.put("FILTER_PID", pid == null ? -1 : pid);
        defines.put("FILTER_UID", user == null ? -1 : Users.uid(user).orElseThrow(() -> usage("no user " + user)));
        defines.put("ERRORS", errors ? 1 : 0);
        defines.putAll(optionBits(Btf.kernel()));
        Columns columns = wide
                ? Columns.of("%10d %-12.12s %-4s %-39s %5d %-5s %2d", "PID", "COMM", "PROT", "ADDR", "PORT", "OPTS", "IF")
                : Columns.of("%8d %-12.12s %-4.4s %-15.15s %5d %-5s %2d", "PID", "COMM", "PROT", "ADDR", "PORT", "OPTS", "IF");
        if (errors) columns = columns.prepend(wide ? "%-25s " : "%3d ", "RC");
        if (printUid) columns = columns.prepend("%6d ", "UID");
        Stamps stamps = new Stamps(false, timestamp);
        Columns out = stamps.prepend(columns, null, "%-9.6f ");
        Columns counts = Columns.of("%-32s %20d     %-10d", "LADDR", "LPORT", "BINDS");
        Map<List<Object>, Long> binds = new LinkedHashMap<>();

        Hook hook = s.choose(Hook.tracepoint("syscalls:sys_enter_bind", "syscalls:sys_exit_bind"));
        try (BPF b = s.load("bindsnoop.bpf.c", containers.c() + Inet.withSocketC(Bindsnoop.class, "bindsnoop.bpf.c"), hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                if (count) {
                    binds.merge(List.of(Inet.address(e, "addr"), e.getLong("port")), 1L, Long::sum);
                    return;
                }
                List<Object> row = stamps.start(e.getLong("ts_us") * 1000);
                if (printUid) row.add(e.getLong("uid"));
                if (errors) row.add(wide ? error(e.getLong("ret")) : (Object) e.getLong("ret"));
                row.addAll(List.of(e.getLong("pid"), e.getString("comm"), protocol(e.getLong("protocol")), Inet.address(e, "addr"),
                        e.getLong("port"), options(e.getLong("opts")), e.getLong("dev_if")));
                s.row(out, row.toArray());
            });
            if (count) {
                s.ready();
                s.note("Tracing binds ... Hit Ctrl-C to end");
            } else {
                s.header(out);
            }
            s.pollUntilStopped(b, null);
            if (count) {
                if (!s.json()) s.out().printf("%n%-32s %20s     %-10s%n", "LADDR", "LPORT", "BINDS");
                binds.forEach((k, n) -> s.row(counts, k.get(0), k.get(1), n));
            }
        }
    }

    private static String protocol(long p) {
        return switch ((int) p) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 132 -> "SCTP";
            case 262 -> "MPTCP";
            default -> "UNKN";
        };
    }

    /** bcc's option letters: F T N R r, a dot for each not set. */
    static String options(long bits) {
        StringBuilder s = new StringBuilder();
        String letters = "FTNRr";
        for (int i = 0; i < letters.length(); i++) s.append((bits & (1L << i)) != 0 ? letters.charAt(i) : '.');
        return s.toString();
    }

    private static String error(long ret) {
        return ret == 0 ? "0" : Errno.describe((int) -ret);
    }

    /**
     * Where this kernel keeps each bind option of a socket, in bits from the start of its sock:
     * the bitfields of sock_common (reuse), and of inet_sock (older kernels) or its inet_flags word
     * with the INET_FLAGS_* bit numbers (6.6 on). -1 for one it does not have.
     */
    static Map<String, Object> optionBits(Btf btf) {
        Map<String, Object> bits = new LinkedHashMap<>();
        Optional<BtfType.Struct> common = btf.find("sock_common", BtfType.Struct.class);
        Optional<BtfType.Struct> inet = btf.find("inet_sock", BtfType.Struct.class);
        bits.put("REUSE_BIT", common.map(c -> member(c, "skc_reuse")).orElse(-1));
        bits.put("REUSEPORT_BIT", common.map(c -> member(c, "skc_reuseport")).orElse(-1));
        int flags = inet.map(i -> member(i, "inet_flags")).orElse(-1);
        if (flags >= 0) {
            bits.put("FREEBIND_BIT", flag(btf, flags, "INET_FLAGS_FREEBIND"));
            bits.put("TRANSPARENT_BIT", flag(btf, flags, "INET_FLAGS_TRANSPARENT"));
            bits.put("NOPORT_BIT", flag(btf, flags, "INET_FLAGS_BIND_ADDRESS_NO_PORT"));
        } else {
            bits.put("FREEBIND_BIT", inet.map(i -> member(i, "freebind")).orElse(-1));
            bits.put("TRANSPARENT_BIT", inet.map(i -> member(i, "transparent")).orElse(-1));
            bits.put("NOPORT_BIT", inet.map(i -> member(i, "bind_address_no_port")).orElse(-1));
        }
        return bits;
    }

    private static int member(BtfType.Struct s, String name) {
        return s.members().stream().filter(m -> m.name().equals(name)).mapToInt(BtfType.Member::bitOffset).findFirst().orElse(-1);
    }

    private static int flag(Btf btf, int flagsOffset, String name) {
        for (BtfType t : btf.types()) {
            if (t instanceof BtfType.Enum e) {
                for (BtfType.EnumValue v : e.values()) if (v.name().equals(name)) return flagsOffset + (int) v.value();
            }
        }
        return -1;
    }
}
