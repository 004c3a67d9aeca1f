package dev.jbcc.link;

import dev.jbcc.netlink.TcHandle;

import java.util.Objects;

/**
 * How {@link TcLink} attaches: through tcx or as a "bpf" filter on a clsact qdisc.
 *
 * @param direction    ingress or egress
 * @param priority     the filter priority, 0 to let the kernel choose
 * @param handle       the filter handle, 0 to let the kernel choose
 * @param protocol     ethertype to match (host order), {@link TcHandle#ETH_P_ALL} for all
 * @param name         the name listings show, null for the program's name
 * @param directAction the program's return value is the verdict (TC_ACT_OK, TC_ACT_SHOT, ...),
 *                     as nearly every TC program expects; false makes it a classifier
 * @param via          tcx where the kernel has it (AUTO, the default), a netlink filter, or tcx
 *                     (Linux 6.6+; detaches when the last fd closes, even at kill -9; can be pinned)
 */
public record TcOptions(TcDirection direction, int priority, int handle, int protocol, String name,
                        boolean directAction, Via via) {
    /**
     * The attach mechanism. AUTO takes a tcx link, which goes with the process however it ends,
     * and falls back to a netlink filter on a kernel before 6.6, or when a priority, handle,
     * protocol, name or classifier mode (settings of a filter, which tcx has not) is asked for.
     * A netlink filter that jbcc names stays after a kill -9, marked with the process; the next
     * {@link TcLink} attach on the device, or {@code jbcc cleanup}, removes it.
     */
    public enum Via { AUTO, NETLINK, TCX }

    public TcOptions {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(via, "via");
        // the parameters: a compact constructor assigns the fields after its body
        if (via == Via.TCX && filterOnly(priority, handle, protocol, name, directAction)) {
            throw new IllegalArgumentException("priority, handle, protocol, name and classifier mode apply to a"
                    + " netlink filter; a tcx link has none of them (use Via.NETLINK or Via.AUTO)");
        }
    }

    /** Whether a setting only a netlink filter has is asked for. */
    boolean filterOnly() {
        return filterOnly(priority, handle, protocol, name, directAction);
    }

    private static boolean filterOnly(int priority, int handle, int protocol, String name, boolean directAction) {
        return priority != 0 || handle != 0 || protocol != TcHandle.ETH_P_ALL || name != null || !directAction;
    }

    /** Ingress, every protocol, direct-action: tcx where the kernel has it, else a netlink filter. */
    public static TcOptions ingress() {
        return new TcOptions(TcDirection.INGRESS, 0, 0, TcHandle.ETH_P_ALL, null, true, Via.AUTO);
    }

    /** Egress, every protocol, direct-action: tcx where the kernel has it, else a netlink filter. */
    public static TcOptions egress() {
        return new TcOptions(TcDirection.EGRESS, 0, 0, TcHandle.ETH_P_ALL, null, true, Via.AUTO);
    }

    /** {@link #ingress()} or {@link #egress()}. */
    public static TcOptions of(TcDirection direction) {
        return direction == TcDirection.INGRESS ? ingress() : egress();
    }

    public TcOptions withPriority(int priority) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction, via);
    }

    public TcOptions withHandle(int handle) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction, via);
    }

    public TcOptions withProtocol(int protocol) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction, via);
    }

    public TcOptions withName(String name) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction, via);
    }

    public TcOptions withDirectAction(boolean directAction) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction, via);
    }

    public TcOptions withVia(Via via) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction, via);
    }
}
