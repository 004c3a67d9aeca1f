package dev.jbcc.tools;

import dev.jbcc.bcc.Value;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * What the network tools share: IPv4/IPv6 addresses as text (as inet_ntop writes them), TCP state
 * names, bcc's comma-separated port lists turned into a C test, and the {@code -4}/{@code -6} options.
 */
public final class Inet {
    /** Linux's address families. */
    public static final int AF_INET = 2, AF_INET6 = 10;

    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
            "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    private Inet() {
    }

    /**
     * bcc's {@code -4}/{@code -6} options (a picocli mixin): {@link #family()} is the one family to
     * trace, 0 for both, as the tools' C takes it in {@code FILTER_FAMILY}.
     */
    public static final class Families {
        @Spec(Spec.Target.MIXEE)
        CommandSpec tool;

        @Option(names = {"-4", "--ipv4"}, description = "Trace IPv4 family only.")
        boolean ipv4;

        @Option(names = {"-6", "--ipv6"}, description = "Trace IPv6 family only.")
        boolean ipv6;

        /**
         * {@link #AF_INET}, {@link #AF_INET6} or 0 (both).
         *
         * @throws ParameterException (a usage error) when both options were given
         */
        public int family() {
            if (ipv4 && ipv6) throw new ParameterException(tool.commandLine(), "-4 and -6 cannot be used together");
            return ipv4 ? AF_INET : ipv6 ? AF_INET6 : 0;
        }
    }

    /**
     * The text of {@code owner}'s C resource with the kit's network C in front of it: {@code
     * sock_of_fd(fd)} (the sock behind a descriptor of the current task), {@code sock_ends(sk,
     * laddr, raddr, &lport, &rport)} (its family, addresses and ports) and {@code TP_ADDRESSES(args,
     * family, src, dst)} (the addresses a sock/tcp tracepoint carries). Load it with
     * {@link Session#load(String, String, Hook, java.util.Map)}.
     */
    public static String withSocketC(Class<?> owner, String resource) {
        return Session.text(Inet.class, "inet.bpf.h") + "\n" + Session.text(owner, resource);
    }

    /** 4 or 6 for {@code family}, as the tools' {@code IP} column shows it. */
    public static int version(long family) {
        return family == AF_INET6 ? 6 : 4;
    }

    /** The address of {@code family} whose bytes (network order) are {@code bytes}: the first 4 for IPv4, 16 for IPv6. */
    public static String address(long family, byte[] bytes) {
        if (family == AF_INET6) return ipv6(bytes);
        return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
    }

    /** The address in the byte array {@code member} of {@code event}, of the family in its member {@code family}. */
    public static String address(Value event, String member) {
        return address(event.getLong("family"), event.field(member).toByteArray());
    }

    /** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as {@code ::}, IPv4-mapped as {@code ::ffff:a.b.c.d}. */
    static String ipv6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!s.isEmpty() && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** bcc's name of a TCP state ({@code ESTABLISHED}, {@code SYN_SENT}, …), {@code ?} for one it does not know. */
    public static String tcpState(long state) {
        return state > 0 && state < TCP_STATES.length ? TCP_STATES[(int) state] : "?";
    }

    /**
     * The ports of a comma-separated list such as {@code 80,81}.
     *
     * @throws IllegalArgumentException naming the item that is not a port
     */
    public static List<Integer> ports(String csv) {
        List<Integer> ports = new ArrayList<>();
        for (String p : csv.split(",", -1)) {
            String t = p.trim();
            if (!t.matches("[0-9]{1,5}") || Integer.parseInt(t) > 65535) {
                throw new IllegalArgumentException("'" + t + "' in " + csv + " is not a port (0..65535)");
            }
            ports.add(Integer.parseInt(t));
        }
        return ports;
    }

    /**
     * A C expression, for a define, true when {@code variable} is one of the ports of {@code csv}
     * (null: any port, the expression {@code 1}).
     *
     * @throws IllegalArgumentException as {@link #ports}
     */
    public static String portTest(String variable, String csv) {
        if (csv == null) return "1";
        StringJoiner any = new StringJoiner(" || ", "(", ")");
        for (int p : ports(csv)) any.add(variable + " == " + p);
        return any.toString();
    }
}
