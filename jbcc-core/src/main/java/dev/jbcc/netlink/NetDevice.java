package dev.jbcc.netlink;

/**
 * A network device as rtnetlink reports it.
 *
 * @param index the interface index (in the device's network namespace)
 * @param name  the interface name
 * @param flags IFF_* flags (IFF_UP = 1)
 * @param mtu   the MTU in bytes
 * @param xdp   the XDP programs attached to it
 */
public record NetDevice(int index, String name, int flags, int mtu, XdpAttachment xdp) {
    public static final int IFF_UP = 1;

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** "name (ifindex N)", as error messages name a device. */
    public String describe() {
        return name + " (ifindex " + index + ")";
    }
}
