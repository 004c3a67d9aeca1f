package dev.jbcc.link;

import dev.jbcc.Program;

import java.util.Objects;

/**
 * How {@link XdpLink} attaches.
 *
 * @param mode            generic, driver, offload, or AUTO (the kernel picks)
 * @param via             a bpf_link where the kernel has XDP links (AUTO, the default), rtnetlink
 *                        IFLA_XDP (what bcc and {@code ip link} do; any kernel), or a bpf_link
 *                        (Linux 5.9+; detaches when the last fd closes, even at kill -9; can be pinned)
 * @param updateIfNoExist netlink only: fail (EBUSY) instead of replacing a program already attached
 * @param replace         netlink only: replace exactly this program, failing (EEXIST) if another
 *                        one is attached (IFLA_XDP_EXPECTED_FD, Linux 5.7+); null for none
 */
public record XdpOptions(XdpMode mode, Via via, boolean updateIfNoExist, Program replace) {
    /**
     * The attach mechanism. AUTO takes a bpf_link, which goes with the process however it ends,
     * and falls back to netlink on a kernel before 5.9, when another program is attached through
     * netlink already (which netlink then replaces, as bcc's attach_xdp does), or when
     * {@code updateIfNoExist} or {@code replace} ask for netlink's semantics.
     */
    public enum Via { AUTO, NETLINK, BPF_LINK }

    public XdpOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(via, "via");
        if (via == Via.BPF_LINK && (updateIfNoExist || replace != null)) {
            throw new IllegalArgumentException("updateIfNoExist and replace apply to netlink attachment;"
                    + " a bpf_link never replaces an attached program (use XdpLink.update to swap its program)");
        }
        if (updateIfNoExist && replace != null) {
            throw new IllegalArgumentException("updateIfNoExist and replace contradict each other");
        }
    }

    /** A bpf_link where the kernel has one, else netlink; mode chosen by the kernel. */
    public static XdpOptions defaults() {
        return new XdpOptions(XdpMode.AUTO, Via.AUTO, false, null);
    }

    /**
     * Options from IFLA_XDP_FLAGS bits, as bcc's {@code attach_xdp(dev, fn, flags)} takes them: one
     * mode bit (SKB 2, DRV 4, HW 8, or none) and UPDATE_IF_NOEXIST (1, which means netlink). Via
     * AUTO: a bpf_link where it can be, so that a killed process leaves nothing attached.
     *
     * @throws IllegalArgumentException for several mode bits, REPLACE (16, which needs the
     *                                  expected program: use {@link #replacing}) or unknown bits
     */
    public static XdpOptions ofFlags(int flags) {
        int modes = flags & (XdpMode.GENERIC.flag() | XdpMode.DRIVER.flag() | XdpMode.OFFLOAD.flag());
        if ((flags & ~(modes | 1)) != 0) {
            throw new IllegalArgumentException("XDP flags 0x" + Integer.toHexString(flags) + " have bits other than"
                    + " UPDATE_IF_NOEXIST (1), SKB_MODE (2), DRV_MODE (4) and HW_MODE (8)");
        }
        XdpMode mode = switch (modes) {
            case 0 -> XdpMode.AUTO;
            case 2 -> XdpMode.GENERIC;
            case 4 -> XdpMode.DRIVER;
            case 8 -> XdpMode.OFFLOAD;
            default -> throw new IllegalArgumentException("XDP flags 0x" + Integer.toHexString(flags)
                    + " name more than one mode; pick one of SKB_MODE, DRV_MODE and HW_MODE");
        };
        return new XdpOptions(mode, Via.AUTO, (flags & 1) != 0, null);
    }

    public XdpOptions withMode(XdpMode mode) {
        return new XdpOptions(mode, via, updateIfNoExist, replace);
    }

    public XdpOptions withVia(Via via) {
        return new XdpOptions(mode, via, updateIfNoExist, replace);
    }

    public XdpOptions withUpdateIfNoExist(boolean updateIfNoExist) {
        return new XdpOptions(mode, via, updateIfNoExist, replace);
    }

    public XdpOptions replacing(Program expected) {
        return new XdpOptions(mode, via, updateIfNoExist, expected);
    }
}
