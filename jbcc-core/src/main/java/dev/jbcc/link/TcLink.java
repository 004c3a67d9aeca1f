package dev.jbcc.link;

import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.OwnerTag;
import dev.jbcc.netlink.BpfFilterSpec;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;
import dev.jbcc.netlink.TcFilter;
import dev.jbcc.spec.ProgramType;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TC program on a device's ingress or egress, attached as {@link TcOptions#via()} says: by
 * default through a tcx link where the kernel has it (6.6+; see {@link TcxLink}), which detaches
 * when the process ends however it ends, else the classic way: a {@code clsact} qdisc on the
 * device (added if missing) and a "bpf" filter on its hook, direct-action by default. That is
 * what {@code tc filter add dev D ingress bpf da ...} and pyroute2's {@code IPRoute.tc} do, and
 * works on every kernel with clsact (4.5+). A filter jbcc names carries the process's pid and
 * start time ({@code prog[jbcc:PID:START]}): after a kill -9 the next attach on the device,
 * whichever way it goes, or {@code jbcc cleanup}, removes it.
 *
 * <p>For a filter, {@link #close()} deletes the filter if it is still this link's (same priority,
 * handle and program). The clsact qdisc goes when the last TcLink of this process on the device closes, if
 * one of them added it and no filter (ours or anyone's) is left on either hook: the device ends
 * as it was, and a qdisc that was there before is kept. The device is looked up in the calling
 * thread's network namespace; the link keeps a netlink client of that namespace for close.
 */
public final class TcLink implements Link {
    /** The TcLinks of this process per device, and whether one of them added its clsact qdisc. */
    private static final Map<DeviceKey, QdiscUsers> QDISC_USERS = new HashMap<>();

    /** A device in a network namespace (named by its nsfs inode). */
    private record DeviceKey(long netns, int ifindex) {}

    private static final class QdiscUsers {
        int links;
        boolean added;
    }

    private final NetDevice device;
    private final TcDirection direction;
    // tcx attachment.
    private final TcxLink tcx;
    // Netlink attachment.
    private final RtNetlink rtnl;
    private final DeviceKey key;
    private final TcFilter filter;
    private final boolean addedQdisc;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private TcLink(NetDevice device, TcDirection direction, TcxLink tcx,
                   RtNetlink rtnl, DeviceKey key, TcFilter filter, boolean addedQdisc) {
        this.device = device;
        this.direction = direction;
        this.tcx = tcx;
        this.rtnl = rtnl;
        this.key = key;
        this.filter = filter;
        this.addedQdisc = addedQdisc;
    }

    /** Attaches to {@code direction} with {@link TcOptions#of}: tcx where the kernel has it, else a direct-action filter. */
    public static TcLink attach(Program program, String device, TcDirection direction) {
        return attach(program, device, TcOptions.of(direction));
    }

    /**
     * Attaches {@code program} (a SCHED_CLS program) to {@code device}, first removing the filters
     * dead jbcc processes left there.
     *
     * @throws IllegalArgumentException    if the program is not a SCHED_CLS program
     * @throws SyscallException            naming the device and the kernel's reason
     * @throws UnsupportedFeatureException for {@link TcOptions.Via#TCX} on a kernel before 6.6
     */
    public static TcLink attach(Program program, String device, TcOptions options) {
        NetLinks.requireType(program, ProgramType.SCHED_CLS, "TcLink", "SEC(\"tc\") or SEC(\"classifier\")");
        RtNetlink rtnl = RtNetlink.open();
        try {
            NetDevice dev = rtnl.device(device);
            synchronized (QDISC_USERS) {
                try {
                    removeLeftovers(rtnl, dev);
                } catch (RuntimeException e) {
                    // Housekeeping: what a dead process left must not stop this attach.
                    System.getLogger(TcLink.class.getName()).log(System.Logger.Level.DEBUG,
                            "cannot remove leftover filters on " + dev.describe(), e);
                }
                boolean tryTcx = switch (options.via()) {
                    case TCX -> true;
                    case NETLINK -> false;
                    case AUTO -> !options.filterOnly();
                };
                if (tryTcx) {
                    try {
                        TcxLink link = TcxLink.attach(program, device, options.direction());
                        rtnl.close();
                        return new TcLink(link.device(), options.direction(), link, null, null, null, false);
                    } catch (UnsupportedFeatureException e) {
                        if (options.via() == TcOptions.Via.TCX) throw e;
                        // before 6.6: a netlink filter
                    }
                }
                DeviceKey key = new DeviceKey(NetLinks.currentNetns(), dev.index());
                boolean added = rtnl.addClsact(dev);
                try {
                    String name = options.name() != null ? options.name() : markedName(program.name());
                    var spec = new BpfFilterSpec(program.fd(), name,
                            options.priority(), options.handle(), options.protocol(), options.directAction(), 0);
                    TcFilter filter = rtnl.addBpfFilter(dev, options.direction().clsactParent(), spec);
                    QdiscUsers users = QDISC_USERS.computeIfAbsent(key, k -> new QdiscUsers());
                    users.links++;
                    users.added |= added;
                    return new TcLink(dev, options.direction(), null, rtnl, key, filter, added);
                } catch (RuntimeException e) {
                    if (added) {
                        try {
                            rtnl.deleteClsact(dev);
                        } catch (RuntimeException cleanup) {
                            e.addSuppressed(cleanup);
                        }
                    }
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            rtnl.close();
            throw e;
        }
    }

    public NetDevice device() {
        return device;
    }

    /** True for a tcx link, false for a netlink filter. */
    public boolean isTcx() {
        return tcx != null;
    }

    /**
     * The filter as the kernel created it (priority and handle filled in).
     *
     * @throws IllegalStateException for a tcx link, which has no filter (see {@link #isTcx()})
     */
    public TcFilter filter() {
        if (tcx != null) {
            throw new IllegalStateException("TcLink on " + device.describe() + " is a tcx link, which has no filter;"
                    + " attach with TcOptions.Via.NETLINK for one");
        }
        return filter;
    }

    public TcDirection direction() {
        return direction;
    }

    /** True if attaching added the clsact qdisc (the last TcLink on the device to close may remove it); false for tcx. */
    public boolean addedQdisc() {
        return addedQdisc;
    }

    @Override
    public void pin(Path path) {
        if (tcx == null) {
            throw Links.cannotPin("a TC filter", "attach with TcOptions.Via.TCX (Linux 6.6+) for a pinnable TC"
                    + " attachment, or leave the filter: it stays until deleted");
        }
        tcx.pin(path);
    }

    @Override
    public void unpin() {
        if (tcx != null) tcx.unpin();
    }

    /** Closes the tcx link, or deletes the filter, and the qdisc as the class comment says. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            if (tcx != null) {
                tcx.close();
                return;
            }
            synchronized (QDISC_USERS) {
                QdiscUsers users = QDISC_USERS.get(key);
                boolean last = --users.links == 0;
                if (last) QDISC_USERS.remove(key);
                try {
                    if (deleteFilterIfOurs() && last && users.added
                            && rtnl.filters(device, TcDirection.INGRESS.clsactParent()).isEmpty()
                            && rtnl.filters(device, TcDirection.EGRESS.clsactParent()).isEmpty()) {
                        deleteQdiscIfPresent();
                    }
                } finally {
                    rtnl.close();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code name} with this process's mark, as {@link #attach} names its filters
     * ({@code name[jbcc:PID:START]}): a filter added another way (bcc's {@code IpRoute}) and named
     * so is one {@link #removeLeftovers} removes once this process is gone.
     */
    public static String markedName(String name) {
        return name + OwnerTag.current();
    }

    /**
     * Deletes the filters jbcc processes that are gone left on {@code device}'s clsact hooks (a
     * kill -9 runs no close()): filters named as {@link #attach} names them, with the attaching
     * process's pid and start time. Attach does it on its device; {@code jbcc cleanup} on every
     * device of the calling thread's namespace. An empty clsact qdisc stays: it changes nothing.
     *
     * @return the filters deleted
     */
    public static java.util.List<TcFilter> removeLeftovers(String device) {
        try (RtNetlink rtnl = RtNetlink.open()) {
            return removeLeftovers(rtnl, rtnl.device(device));
        }
    }

    private static java.util.List<TcFilter> removeLeftovers(RtNetlink rtnl, NetDevice device) {
        var removed = new java.util.ArrayList<TcFilter>();
        if (!rtnl.hasClsact(device)) return removed;
        for (TcDirection direction : TcDirection.values()) {
            for (TcFilter f : rtnl.filters(device, direction.clsactParent())) {
                if (OwnerTag.leftByADeadProcess(f.bpfName())) {
                    rtnl.deleteFilter(device, f);
                    removed.add(f);
                }
            }
        }
        return removed;
    }

    /** False if the device is gone. */
    private boolean deleteFilterIfOurs() {
        try {
            for (TcFilter f : rtnl.filters(device, filter.parent())) {
                if (f.priority() == filter.priority() && f.handle() == filter.handle()
                        && f.bpfProgramId() == filter.bpfProgramId() && f.kind().equals(filter.kind())) {
                    rtnl.deleteFilter(device, f);
                    break;
                }
            }
            return true;
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENODEV) return false;
            throw e;
        }
    }

    private void deleteQdiscIfPresent() {
        try {
            if (rtnl.hasClsact(device)) rtnl.deleteClsact(device);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENODEV) throw e;
        }
    }

    @Override
    public String toString() {
        return "TcLink[" + device.describe() + " " + (tcx != null ? direction + " tcx " + tcx.rawLink() : filter)
                + (closed ? ", closed" : "") + "]";
    }
}
