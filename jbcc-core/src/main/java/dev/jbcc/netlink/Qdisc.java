package dev.jbcc.netlink;

/**
 * A queueing discipline on a device.
 *
 * @param ifindex the device
 * @param kind    e.g. "clsact", "noqueue", "fq_codel"
 * @param handle  its handle (clsact: {@link TcHandle#CLSACT_HANDLE})
 * @param parent  where it hangs ({@link TcHandle#ROOT}, or {@link TcHandle#CLSACT} for clsact/ingress)
 */
public record Qdisc(int ifindex, String kind, int handle, int parent) {
    public boolean isClsact() {
        return "clsact".equals(kind);
    }

    @Override
    public String toString() {
        return "Qdisc[" + kind + " " + TcHandle.format(handle) + " parent " + TcHandle.format(parent)
                + " ifindex " + ifindex + "]";
    }
}
