package dev.jbcc.link;

import dev.jbcc.netlink.TcHandle;

import java.util.Objects;

/**
 * How {@link TcLink} adds its "bpf" filter.
 *
 * @param direction    ingress or egress
 * @param priority     the filter priority, 0 to let the kernel choose
 * @param handle       the filter handle, 0 to let the kernel choose
 * @param protocol     ethertype to match (host order), {@link TcHandle#ETH_P_ALL} for all
 * @param name         the name listings show, null for the program's name
 * @param directAction the program's return value is the verdict (TC_ACT_OK, TC_ACT_SHOT, ...),
 *                     as nearly every TC program expects; false makes it a classifier
 */
public record TcOptions(TcDirection direction, int priority, int handle, int protocol, String name,
                        boolean directAction) {
    public TcOptions {
        Objects.requireNonNull(direction, "direction");
    }

    /** A direct-action ingress filter for every protocol. */
    public static TcOptions ingress() {
        return new TcOptions(TcDirection.INGRESS, 0, 0, TcHandle.ETH_P_ALL, null, true);
    }

    /** A direct-action egress filter for every protocol. */
    public static TcOptions egress() {
        return new TcOptions(TcDirection.EGRESS, 0, 0, TcHandle.ETH_P_ALL, null, true);
    }

    public TcOptions withPriority(int priority) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction);
    }

    public TcOptions withHandle(int handle) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction);
    }

    public TcOptions withProtocol(int protocol) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction);
    }

    public TcOptions withName(String name) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction);
    }

    public TcOptions withDirectAction(boolean directAction) {
        return new TcOptions(direction, priority, handle, protocol, name, directAction);
    }
}
