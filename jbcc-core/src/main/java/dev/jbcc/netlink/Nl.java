package dev.jbcc.netlink;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Netlink and rtnetlink uapi numbers (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h,
 * pkt_sched.h, pkt_cls.h) and the layouts of the fixed headers. Netlink messages are in the
 * host's byte order, except where a field says it is in network order (the filter protocol).
 */
final class Nl {
    private Nl() {}

    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    static final int NETLINK_ROUTE = 0;
    static final int NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11, NETLINK_GET_STRICT_CHK = 12;

    /** struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; } */
    static final int NLMSG_HDRLEN = 16;
    static final int HDR_LEN = 0, HDR_TYPE = 4, HDR_FLAGS = 6, HDR_SEQ = 8, HDR_PID = 12;
    /** struct rtattr { u16 len; u16 type; } */
    static final int RTA_HDRLEN = 4;
    static final int NLA_F_NESTED = 1 << 15, NLA_F_NET_BYTEORDER = 1 << 14, NLA_TYPE_MASK = 0x3FFF;

    static final int NLM_F_REQUEST = 1, NLM_F_MULTI = 2, NLM_F_ACK = 4, NLM_F_ECHO = 8, NLM_F_DUMP_INTR = 16;
    static final int NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    static final int NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    /** Flags of an NLMSG_ERROR reply: the request's payload was left out; TLVs follow. */
    static final int NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;

    static final int NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;
    static final int NLMSGERR_ATTR_MSG = 1, NLMSGERR_ATTR_OFFS = 2, NLMSGERR_ATTR_MISS_TYPE = 5;

    static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    static final int RTM_NEWQDISC = 36, RTM_DELQDISC = 37, RTM_GETQDISC = 38;
    static final int RTM_NEWTFILTER = 44, RTM_DELTFILTER = 45, RTM_GETTFILTER = 46;

    /** struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; } */
    static final int IFINFOMSG_LEN = 16;
    static final int IFI_FAMILY = 0, IFI_TYPE = 2, IFI_INDEX = 4, IFI_FLAGS = 8, IFI_CHANGE = 12;
    static final int IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_EXT_MASK = 29, IFLA_XDP = 43;
    static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;
    static final int IFLA_XDP_FD = 1, IFLA_XDP_ATTACHED = 2, IFLA_XDP_FLAGS = 3, IFLA_XDP_PROG_ID = 4,
            IFLA_XDP_DRV_PROG_ID = 5, IFLA_XDP_SKB_PROG_ID = 6, IFLA_XDP_HW_PROG_ID = 7, IFLA_XDP_EXPECTED_FD = 8;

    /** struct tcmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u32 handle; u32 parent; u32 info; } */
    static final int TCMSG_LEN = 20;
    static final int TCM_FAMILY = 0, TCM_IFINDEX = 4, TCM_HANDLE = 8, TCM_PARENT = 12, TCM_INFO = 16;
    static final int TCA_KIND = 1, TCA_OPTIONS = 2, TCA_CHAIN = 11;
    static final int TCA_BPF_CLASSID = 3, TCA_BPF_FD = 6, TCA_BPF_NAME = 7, TCA_BPF_FLAGS = 8,
            TCA_BPF_TAG = 10, TCA_BPF_ID = 11;
    static final int TCA_BPF_FLAG_ACT_DIRECT = 1;

    static int align4(int n) {
        return (n + 3) & ~3;
    }

    /** A 16-bit value in network byte order, as netlink stores it in a host-order u16 slot. */
    static int htons(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? v & 0xFFFF
                : Short.toUnsignedInt(Short.reverseBytes((short) v));
    }

    static int ntohs(int v) {
        return htons(v);
    }

    static String typeName(int type) {
        return switch (type) {
            case RTM_NEWLINK -> "RTM_NEWLINK";
            case RTM_DELLINK -> "RTM_DELLINK";
            case RTM_GETLINK -> "RTM_GETLINK";
            case RTM_SETLINK -> "RTM_SETLINK";
            case RTM_NEWQDISC -> "RTM_NEWQDISC";
            case RTM_DELQDISC -> "RTM_DELQDISC";
            case RTM_GETQDISC -> "RTM_GETQDISC";
            case RTM_NEWTFILTER -> "RTM_NEWTFILTER";
            case RTM_DELTFILTER -> "RTM_DELTFILTER";
            case RTM_GETTFILTER -> "RTM_GETTFILTER";
            default -> "netlink message " + type;
        };
    }
}
