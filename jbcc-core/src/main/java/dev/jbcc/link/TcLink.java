package dev.jbcc.link;

import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.netlink.BpfFilterSpec;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;
import dev.jbcc.netlink.TcFilter;
import dev.jbcc.spec.ProgramType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TC program attached the classic way: a {@code clsact} qdisc on the device (added if missing)
 * and a "bpf" filter on its ingress or egress hook, direct-action by default. This is what
 * {@code tc filter add dev D ingress bpf da ...} and pyroute2's {@code IPRoute.tc} do, and works
 * on every kernel with clsact (4.5+); {@link TcxLink} is the bpf_link way (6.6+).
 *
 * <p>{@link #close()} deletes the filter if it is still this link's (same priority, handle and
 * program). The clsact qdisc goes when the last TcLink of this process on the device closes, if
 * one of them added it and no filter (ours or anyone's) is left on either hook: the device ends
 * as it was, and a qdisc that was there before is kept. The device is looked up in the calling
 * thread's network namespace; the link keeps a netlink client of that namespace for close.
 */
public final class TcLink implements Link {
    /** The TcLinks of this process per device, and whether one of them added its clsact qdisc. */
    private static final Map<DeviceKey, QdiscUsers> QDISC_USERS = new HashMap<>();

    /** A device in a network namespace ({@code net:[inode]} names the namespace). */
    private record DeviceKey(String netns, int ifindex) {}

    private static final class QdiscUsers {
        int links;
        boolean added;
    }

    private final RtNetlink rtnl;
    private final NetDevice device;
    private final DeviceKey key;
    private final TcFilter filter;
    private final boolean addedQdisc;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private TcLink(RtNetlink rtnl, NetDevice device, DeviceKey key, TcFilter filter, boolean addedQdisc) {
        this.rtnl = rtnl;
        this.device = device;
        this.key = key;
        this.filter = filter;
        this.addedQdisc = addedQdisc;
    }

    /** A direct-action filter for every protocol on {@code direction}. */
    public static TcLink attach(Program program, String device, TcDirection direction) {
        return attach(program, device, direction == TcDirection.INGRESS ? TcOptions.ingress() : TcOptions.egress());
    }

    /**
     * Attaches {@code program} (a SCHED_CLS program) to {@code device}.
     *
     * @throws IllegalArgumentException if the program is not a SCHED_CLS program
     * @throws SyscallException         naming the device and the kernel's reason
     */
    public static TcLink attach(Program program, String device, TcOptions options) {
        NetLinks.requireType(program, ProgramType.SCHED_CLS, "TcLink", "SEC(\"tc\") or SEC(\"classifier\")");
        RtNetlink rtnl = RtNetlink.open();
        try {
            NetDevice dev = rtnl.device(device);
            DeviceKey key = new DeviceKey(currentNetns(), dev.index());
            synchronized (QDISC_USERS) {
                try {
                    removeLeftovers(rtnl, dev);
                } catch (RuntimeException e) {
                    // Housekeeping: what a dead process left must not stop this attach.
                    System.getLogger(TcLink.class.getName()).log(System.Logger.Level.DEBUG,
                            "cannot remove leftover filters on " + dev.describe(), e);
                }
                boolean added = rtnl.addClsact(dev);
                try {
                    String name = options.name() != null ? options.name() : program.name() + OwnerTag.current();
                    var spec = new BpfFilterSpec(program.fd(), name,
                            options.priority(), options.handle(), options.protocol(), options.directAction(), 0);
                    TcFilter filter = rtnl.addBpfFilter(dev, options.direction().clsactParent(), spec);
                    QdiscUsers users = QDISC_USERS.computeIfAbsent(key, k -> new QdiscUsers());
                    users.links++;
                    users.added |= added;
                    return new TcLink(rtnl, dev, key, filter, added);
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

    /** The filter as the kernel created it (priority and handle filled in). */
    public TcFilter filter() {
        return filter;
    }

    public TcDirection direction() {
        return filter.parent() == TcDirection.INGRESS.clsactParent() ? TcDirection.INGRESS : TcDirection.EGRESS;
    }

    /** True if attaching added the clsact qdisc (the last TcLink on the device to close may remove it). */
    public boolean addedQdisc() {
        return addedQdisc;
    }

    @Override
    public void pin(Path path) {
        throw Links.cannotPin("a TC filter", "use TcxLink (Linux 6.6+) for a pinnable TC attachment,"
                + " or leave the filter: it stays until deleted");
    }

    @Override
    public void unpin() {
    }

    /** Deletes the filter, and the qdisc as the class comment says. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
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

    /** The calling thread's network namespace, as its nsfs link reads ("net:[4026531840]"). */
    private static String currentNetns() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/thread-self/ns/net", e);
        }
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
        return "TcLink[" + device.describe() + " " + filter + (closed ? ", closed" : "") + "]";
    }
}
