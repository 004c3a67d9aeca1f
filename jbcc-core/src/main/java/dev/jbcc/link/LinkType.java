package dev.jbcc.link;

/** {@code enum bpf_link_type}: the kind of a bpf_link, as {@link LinkInfo} reports it (values from Linux 6.18). */
public enum LinkType {
    UNSPEC(0), RAW_TRACEPOINT(1), TRACING(2), CGROUP(3), ITER(4), NETNS(5), XDP(6), PERF_EVENT(7),
    KPROBE_MULTI(8), STRUCT_OPS(9), NETFILTER(10), TCX(11), UPROBE_MULTI(12), NETKIT(13), SOCKMAP(14);

    private final int value;

    LinkType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The type with this kernel value, or UNSPEC for one newer than jbcc knows. */
    public static LinkType of(int value) {
        for (LinkType t : values()) if (t.value == value) return t;
        return UNSPEC;
    }
}
