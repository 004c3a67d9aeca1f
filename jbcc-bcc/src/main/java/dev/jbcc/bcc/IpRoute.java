package dev.jbcc.bcc;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.link.TcLink;
import dev.jbcc.netlink.BpfFilterSpec;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;
import dev.jbcc.netlink.TcHandle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The slice of pyroute2's {@code IPRoute} that bcc programs use to attach TC programs, over
 * jbcc's own rtnetlink client:
 *
 * <pre>{@code
 * try (IpRoute ipr = IpRoute.open()) {
 *     int idx = ipr.linkLookup("eth0");
 *     ipr.tc("add", "clsact", idx);
 *     ipr.tc("add-filter", "bpf", idx, ":1", IpRoute.filter().fd(fn.fd()).name(fn.name())
 *             .parent("ffff:fff2").classid(1).directAction(true));
 *     ...
 *     ipr.tc("del", "clsact", idx);
 * }
 * }</pre>
 *
 * <p>Qdiscs added through an IpRoute from {@link BPF#ipRoute()} are deleted when the BPF closes,
 * unless deleted before; {@link #open()} gives one that leaves them, as pyroute2 does.
 */
public final class IpRoute implements AutoCloseable {
    /** pyroute2's spelling of the clsact ingress and egress parents. */
    public static final String INGRESS = "ffff:fff2", EGRESS = "ffff:fff3";

    private final RtNetlink rtnl;
    private final boolean removeOnClose;
    /** Devices (by index) where this IpRoute added the clsact qdisc and has not deleted it. */
    private final List<Integer> addedClsact = new ArrayList<>();

    private IpRoute(RtNetlink rtnl, boolean removeOnClose) {
        this.rtnl = rtnl;
        this.removeOnClose = removeOnClose;
    }

    /** A client in the calling thread's network namespace. */
    public static IpRoute open() {
        return new IpRoute(RtNetlink.open(), false);
    }

    static IpRoute owned() {
        return new IpRoute(RtNetlink.open(), true);
    }

    /** The interface index of {@code ifname} (pyroute2's {@code link_lookup(ifname=...)[0]}). */
    public int linkLookup(String ifname) {
        return rtnl.device(ifname).index();
    }

    /**
     * {@code tc("add", "clsact", idx)} or {@code tc("del", "clsact", idx)} (also "ingress"
     * for the same hook).
     *
     * @throws SyscallException naming the device: EEXIST when adding where one exists, ENOENT/EINVAL when deleting none
     */
    public synchronized void tc(String command, String kind, int index) {
        if (!kind.equals("clsact") && !kind.equals("ingress")) {
            throw new IllegalArgumentException("qdisc kind '" + kind + "' is not supported here; use \"clsact\"");
        }
        NetDevice device = rtnl.device(index);
        switch (command) {
            case "add" -> {
                if (!rtnl.addClsact(device)) {
                    throw new SyscallException("RTM_NEWQDISC clsact", Errno.EEXIST, device.describe()
                            + " already has a clsact qdisc; delete it first or add filters to it");
                }
                addedClsact.add(index);
            }
            case "del" -> {
                rtnl.deleteClsact(device);
                addedClsact.remove((Integer) index);
            }
            default -> throw new IllegalArgumentException("tc command '" + command + "' with a qdisc kind: use \"add\" or \"del\"");
        }
    }

    /**
     * {@code tc("add-filter", "bpf", idx, ":1", fd=…, name=…, parent=…, classid=…, direct_action=True)}.
     * The filter's name carries this process's mark ({@code name[jbcc:PID:START]}, see
     * {@link TcLink#markedName}): once the process is gone, killed before it deleted the filter,
     * {@code jbcc cleanup} or the next {@link TcLink#attach} on the device removes it.
     *
     * @param handle the filter handle, "major:minor" in hex (":1" is 1)
     */
    public synchronized void tc(String command, String kind, int index, String handle, Filter filter) {
        if (!command.equals("add-filter")) throw new IllegalArgumentException("tc command '" + command + "' with a filter: use \"add-filter\"");
        if (!kind.equals("bpf")) throw new IllegalArgumentException("filter kind '" + kind + "' is not supported here; use \"bpf\"");
        Objects.requireNonNull(filter, "filter");
        if (filter.fd < 0) throw new IllegalArgumentException("the filter needs the program: fd(fn.fd())");
        NetDevice device = rtnl.device(index);
        BpfFilterSpec spec = new BpfFilterSpec(filter.fd, TcLink.markedName(filter.name == null ? "bpf" : filter.name), filter.priority,
                parseHandle(handle), filter.protocol, filter.directAction, filter.classid);
        rtnl.addBpfFilter(device, filter.parent, spec);
    }

    /**
     * A tc handle as pyroute2 reads it: hex "major:minor" combined as {@code major << 16 | minor},
     * so the seed's "ffff:ffff2" means 0xfffffff2, the clsact ingress hook.
     */
    public static int parseHandle(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) return (int) Long.parseLong(text, 16) << 16;
        String major = text.substring(0, colon);
        String minor = text.substring(colon + 1);
        try {
            long value = (major.isEmpty() ? 0 : Long.parseLong(major, 16)) << 16 | (minor.isEmpty() ? 0 : Long.parseLong(minor, 16));
            return (int) value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a tc handle (hex major:minor): " + text, e);
        }
    }

    /** The options of a bpf filter, pyroute2's keyword arguments. */
    public static Filter filter() {
        return new Filter();
    }

    /** pyroute2's {@code fd=, name=, parent=, classid=, direct_action=, prio=, protocol=}. */
    public static final class Filter {
        private int fd = -1;
        private String name;
        private int parent = TcHandle.INGRESS;
        private int classid;
        private boolean directAction;
        private int priority;
        private int protocol = TcHandle.ETH_P_ALL;

        private Filter() {}

        public Filter fd(int fd) { this.fd = fd; return this; }
        public Filter name(String name) { this.name = name; return this; }
        /** "ffff:fff2" (ingress), "ffff:fff3" (egress), or pyroute2's "ffff:ffff2". */
        public Filter parent(String parent) { this.parent = parseHandle(parent); return this; }
        public Filter parent(int parent) { this.parent = parent; return this; }
        public Filter classid(int classid) { this.classid = classid; return this; }
        public Filter directAction(boolean directAction) { this.directAction = directAction; return this; }
        public Filter priority(int priority) { this.priority = priority; return this; }
        public Filter protocol(int protocol) { this.protocol = protocol; return this; }
    }

    /** Closes the netlink socket; an IpRoute from {@link BPF#ipRoute()} first deletes the qdiscs it added. */
    @Override
    public synchronized void close() {
        try {
            if (removeOnClose) {
                for (int index : List.copyOf(addedClsact)) {
                    try {
                        rtnl.deleteClsact(rtnl.device(index));
                    } catch (SyscallException e) {
                        // Gone already (device deleted, or removed by someone else): nothing left to undo.
                        if (e.errno() != Errno.ENODEV && e.errno() != Errno.ENOENT && e.errno() != Errno.EINVAL) throw e;
                    }
                }
            }
            addedClsact.clear();
        } finally {
            rtnl.close();
        }
    }
}
