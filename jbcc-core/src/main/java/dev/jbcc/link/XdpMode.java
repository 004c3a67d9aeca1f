package dev.jbcc.link;

/** Where an XDP program runs (the IFLA_XDP_FLAGS / bpf_link mode bits). */
public enum XdpMode {
    /** Native if the driver has XDP, else generic: the kernel decides. */
    AUTO(0),
    /** Generic (SKB) mode: any device, after the skb is built; XDP_FLAGS_SKB_MODE. */
    GENERIC(2),
    /** Native (driver) mode; XDP_FLAGS_DRV_MODE. Fails if the driver lacks XDP. */
    DRIVER(4),
    /** Offloaded to the NIC; XDP_FLAGS_HW_MODE. Needs a program loaded for that device. */
    OFFLOAD(8);

    private final int flag;

    XdpMode(int flag) {
        this.flag = flag;
    }

    /** The XDP_FLAGS_*_MODE bit (0 for AUTO). */
    public int flag() {
        return flag;
    }
}
