package dev.jbcc.netlink;

/**
 * Traffic-control handles ("major:minor", 16 bits each, hex as {@code tc} prints them) and the
 * well-known ones of the clsact qdisc.
 */
public final class TcHandle {
    private TcHandle() {}

    /** TC_H_ROOT: the device's root qdisc. */
    public static final int ROOT = 0xFFFFFFFF;
    /** TC_H_CLSACT (= TC_H_INGRESS): the parent of the clsact and ingress qdiscs. */
    public static final int CLSACT = 0xFFFFFFF1;
    /** The clsact qdisc's own handle, ffff:0000. */
    public static final int CLSACT_HANDLE = 0xFFFF0000;
    /** Parent of ingress filters under clsact: ffff:fff2 (TC_H_MIN_INGRESS). */
    public static final int INGRESS = 0xFFFFFFF2;
    /** Parent of egress filters under clsact: ffff:fff3 (TC_H_MIN_EGRESS). */
    public static final int EGRESS = 0xFFFFFFF3;

    /** Ethertypes (host order) for {@link BpfFilterSpec#protocol()}. */
    public static final int ETH_P_ALL = 0x0003, ETH_P_IP = 0x0800, ETH_P_IPV6 = 0x86DD;

    public static int make(int major, int minor) {
        return (major << 16) | (minor & 0xFFFF);
    }

    public static int major(int handle) {
        return handle >>> 16;
    }

    public static int minor(int handle) {
        return handle & 0xFFFF;
    }

    /** "ffff:fff2" style; "root" and "none" for the special values. */
    public static String format(int handle) {
        if (handle == ROOT) return "root";
        if (handle == 0) return "none";
        return Integer.toHexString(major(handle)) + ":" + Integer.toHexString(minor(handle));
    }

    /**
     * Parses "major:minor" in hex (either part may be empty, meaning 0), "root", "ingress",
     * "egress" or "clsact".
     *
     * @throws IllegalArgumentException if the text is none of these or a part exceeds 16 bits
     */
    public static int parse(String text) {
        switch (text) {
            case "root": return ROOT;
            case "ingress": return INGRESS;
            case "egress": return EGRESS;
            case "clsact": return CLSACT;
            default: break;
        }
        int colon = text.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("not a tc handle (want major:minor in hex): " + text);
        return make(part(text, text.substring(0, colon)), part(text, text.substring(colon + 1)));
    }

    private static int part(String text, String hex) {
        if (hex.isEmpty()) return 0;
        int v;
        try {
            v = Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a tc handle (want major:minor in hex): " + text, e);
        }
        if (v < 0 || v > 0xFFFF) throw new IllegalArgumentException("tc handle part above ffff in " + text);
        return v;
    }
}
