package dev.jbcc.link;

import dev.jbcc.features.Feature;
import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.LinkCreateAttr;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;
import dev.jbcc.netlink.XdpAttachment;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.ProgramType;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An XDP program attached to a network device, through rtnetlink (IFLA_XDP, what bcc's
 * {@code attach_xdp} and {@code ip link set xdp} do) or as a bpf_link (Linux 5.9+), as
 * {@link XdpOptions} says.
 *
 * <p>{@link #close()} detaches. Through netlink it removes the program only while it is still the
 * one this link attached (an atomic IFLA_XDP_EXPECTED_FD check): a program someone attached
 * over it since is left alone. The device is looked up, and a bpf_link's ifindex resolved, in the
 * calling thread's network namespace; run {@code attach} inside
 * {@link dev.jbcc.netlink.NetNamespace#call} for another one. The link remembers its namespace.
 *
 * <p>A netlink attachment outlives a process killed before close (a bpf_link does not): jbcc
 * marks it as this process's (see {@link #removeLeftovers()}), and the next attach, or
 * {@code jbcc cleanup}, detaches it once the process is gone.
 */
public final class XdpLink implements Link {
    private final NetDevice device;
    private final XdpMode mode;
    private final ReentrantLock lock = new ReentrantLock();
    // Netlink attachment: the client of the device's namespace and our own copy of the
    // program's fd, which the detach names as the expected program.
    private final RtNetlink rtnl;
    private Fd attached;
    private int programId;
    /** The mark that says this process attached it ({@link XdpOwners}); null if none could be written. */
    private Path mark;
    // bpf_link attachment.
    private final RawLink link;
    private boolean closed;

    private XdpLink(NetDevice device, XdpMode mode, RtNetlink rtnl, Fd attached, int programId, RawLink link, Path mark) {
        this.device = device;
        this.mode = mode;
        this.rtnl = rtnl;
        this.attached = attached;
        this.programId = programId;
        this.link = link;
        this.mark = mark;
    }

    /** An XDP program a process that is gone attached through netlink, detached by {@link #removeLeftovers()}. */
    public record Leftover(String device, int programId, XdpMode mode) {}

    /** Attaches with {@link XdpOptions#defaults()}: a bpf_link where the kernel has one, the kernel choosing the mode. */
    public static XdpLink attach(Program program, String device) {
        return attach(program, device, XdpOptions.defaults());
    }

    /**
     * Attaches {@code program} (an XDP program) to {@code device}.
     *
     * @throws IllegalArgumentException if the program is not an XDP program
     * @throws SyscallException         naming the device: unknown device (ENODEV), a program already
     *                                  attached under updateIfNoExist (EBUSY), a mode the driver lacks, ...
     * @throws UnsupportedFeatureException for a bpf_link on a kernel before 5.9
     */
    public static XdpLink attach(Program program, String device, XdpOptions options) {
        NetLinks.requireType(program, ProgramType.XDP, "XdpLink", "SEC(\"xdp\")");
        try {
            removeLeftovers();
        } catch (RuntimeException e) {
            // Housekeeping: what a dead process left must not stop this attach.
            System.getLogger(XdpLink.class.getName()).log(System.Logger.Level.DEBUG, "cannot remove leftover XDP programs", e);
        }
        return switch (options.via()) {
            case BPF_LINK -> attachLink(program, device, options.mode());
            case NETLINK -> attachNetlink(program, device, options);
            case AUTO -> {
                if (options.updateIfNoExist() || options.replace() != null) yield attachNetlink(program, device, options);
                try {
                    yield attachLink(program, device, options.mode());
                } catch (UnsupportedFeatureException e) {
                    yield attachNetlink(program, device, options); // before 5.9
                } catch (SyscallException e) {
                    if (e.errno() != Errno.EBUSY) throw e;
                    // Attached already: netlink replaces a netlink-attached program (bcc's
                    // attach_xdp), and refuses, naming the device, one a bpf_link holds.
                    yield attachNetlink(program, device, options);
                }
            }
        };
    }

    private static XdpLink attachNetlink(Program program, String name, XdpOptions options) {
        RtNetlink rtnl = RtNetlink.open();
        try {
            NetDevice device = rtnl.device(name);
            int flags = options.mode().flag();
            if (options.updateIfNoExist()) flags |= RtNetlink.XDP_FLAGS_UPDATE_IF_NOEXIST;
            int expected = -1;
            if (options.replace() != null) {
                flags |= RtNetlink.XDP_FLAGS_REPLACE;
                expected = options.replace().fd();
            }
            Fd copy = Handles.of(program).dup();
            try {
                rtnl.setXdp(device, copy.raw(), flags, expected);
                XdpMode mode = options.mode();
                if (mode == XdpMode.AUTO) {
                    try {
                        mode = modeOf(rtnl.device(device.index()).xdp(), program.id());
                    } catch (RuntimeException e) {
                        try {
                            rtnl.setXdp(device, -1, RtNetlink.XDP_FLAGS_REPLACE, copy.raw());
                        } catch (RuntimeException undo) {
                            e.addSuppressed(undo);
                        }
                        throw e;
                    }
                }
                return new XdpLink(device, mode, rtnl, copy, program.id(), null, XdpOwners.mark(device, program.id(), mode));
            } catch (RuntimeException e) {
                copy.close();
                throw e;
            }
        } catch (RuntimeException e) {
            rtnl.close();
            throw e;
        }
    }

    /** The mode the kernel put {@code programId} in; AUTO if it is not attached (any more). */
    private static XdpMode modeOf(XdpAttachment xdp, int programId) {
        if (xdp.genericProgramId() == programId) return XdpMode.GENERIC;
        if (xdp.driverProgramId() == programId) return XdpMode.DRIVER;
        if (xdp.offloadProgramId() == programId) return XdpMode.OFFLOAD;
        return XdpMode.AUTO;
    }

    private static XdpLink attachLink(Program program, String name, XdpMode mode) {
        NetDevice device = NetLinks.device(name);
        Fd fd;
        try (Arena arena = Arena.ofConfined()) {
            var attr = new LinkCreateAttr(arena).progFd(Handles.of(program)).target(device.index())
                    .attachType(AttachType.XDP.value()).flags(mode.flag());
            fd = Bpf.linkCreate(attr);
        } catch (SyscallException e) {
            String op = "BPF_LINK_CREATE XDP on " + device.describe();
            throw switch (e.errno()) {
                case Errno.EBUSY -> new SyscallException(op, e.errno(), "an XDP program is attached to the device"
                        + " already (through netlink or another bpf_link); detach it first");
                case Errno.EINVAL -> Feature.XDP_LINK.versionReached() ? e
                        : Feature.XDP_LINK.unsupported("attach through netlink (XdpOptions.Via.NETLINK)");
                case Errno.EOPNOTSUPP -> new SyscallException(op, e.errno(), "the driver lacks " + mode
                        + " XDP; use XdpMode.GENERIC");
                default -> new SyscallException(op, e.errno());
            };
        }
        RawLink raw = new RawLink(fd);
        XdpMode actual = mode;
        if (mode == XdpMode.AUTO) {
            try (RtNetlink rtnl = RtNetlink.open()) {
                actual = modeOf(rtnl.device(device.index()).xdp(), program.id());
            } catch (RuntimeException e) {
                raw.close();
                throw e;
            }
        }
        return new XdpLink(device, actual, null, null, program.id(), raw, null);
    }

    /**
     * What is attached to {@code device} (in the calling thread's namespace), by mode.
     *
     * @throws SyscallException (ENODEV) naming the device if there is none
     */
    public static XdpAttachment query(String device) {
        return NetLinks.device(device).xdp();
    }

    /**
     * Removes whatever XDP program is attached to {@code device} in {@code mode}, whoever attached
     * it: bcc's {@code remove_xdp}. Fails (EBUSY) if a bpf_link holds it.
     */
    public static void remove(String device, XdpMode mode) {
        try (RtNetlink rtnl = RtNetlink.open()) {
            rtnl.setXdp(rtnl.device(device), -1, mode.flag(), -1);
        }
    }

    /**
     * Detaches the XDP programs that jbcc processes now gone (killed before close) attached
     * through netlink to devices of the calling thread's network namespace, each only while it is
     * still the attached one. {@link #attach} does it first; {@code jbcc cleanup} too. A bpf_link
     * attachment (the default, 5.9+) goes with its process and needs none of this.
     *
     * @return what was detached
     */
    public static List<Leftover> removeLeftovers() {
        return XdpOwners.removeLeftovers();
    }

    /** The device, as it was when attached. */
    public NetDevice device() {
        return device;
    }

    /** The mode the program runs in (resolved from the kernel when AUTO was asked for). */
    public XdpMode mode() {
        return mode;
    }

    /** The id of the program this link attached (or last swapped in). */
    public int programId() {
        lock.lock();
        try {
            return programId;
        } finally {
            lock.unlock();
        }
    }

    /** True for a bpf_link attachment. */
    public boolean isBpfLink() {
        return link != null;
    }

    /**
     * Swaps in another XDP program without a gap. Through netlink this succeeds only while this
     * link's program is still the attached one.
     */
    public void update(Program program) {
        NetLinks.requireType(program, ProgramType.XDP, "XdpLink", "SEC(\"xdp\")");
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("XdpLink on " + device.name() + " is closed");
            if (link != null) {
                try {
                    Bpf.linkUpdate(link.handle(), Handles.of(program), 0, null);
                } catch (SyscallException e) {
                    throw new SyscallException("BPF_LINK_UPDATE XDP on " + device.describe(), e.errno());
                }
            } else {
                Fd copy = Handles.of(program).dup();
                try {
                    rtnl.setXdp(device, copy.raw(), mode.flag() | RtNetlink.XDP_FLAGS_REPLACE, attached.raw());
                } catch (RuntimeException e) {
                    copy.close();
                    throw e;
                }
                attached.close();
                attached = copy;
                XdpOwners.unmark(mark);
                mark = XdpOwners.mark(device, program.id(), mode);
            }
            programId = program.id();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void pin(Path path) {
        if (link == null) {
            throw Links.cannotPin("an XDP program attached through netlink",
                    "attach with XdpOptions.Via.BPF_LINK to pin, or leave it attached: it stays until removed");
        }
        link.pin(path);
    }

    @Override
    public void unpin() {
        if (link != null) link.unpin();
    }

    /**
     * Detaches: closes the bpf_link, or removes the program through netlink if it is still
     * ours. A device that is gone counts as detached. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            if (link != null) {
                link.close();
                return;
            }
            try {
                detachIfOurs();
            } finally {
                XdpOwners.unmark(mark);
                attached.close();
                rtnl.close();
            }
        } finally {
            lock.unlock();
        }
    }

    private void detachIfOurs() {
        try {
            rtnl.setXdp(device, -1, mode.flag() | RtNetlink.XDP_FLAGS_REPLACE, attached.raw());
        } catch (SyscallException e) {
            switch (e.errno()) {
                case Errno.EEXIST, Errno.ENODEV -> { } // replaced by someone else, or the device is gone
                case Errno.EINVAL -> detachByIdCheck(e); // kernels before 5.7 lack XDP_FLAGS_REPLACE
                default -> throw e;
            }
        }
    }

    private void detachByIdCheck(SyscallException replaceUnsupported) {
        if (Feature.XDP_FLAGS_REPLACE.versionReached()) throw replaceUnsupported;
        NetDevice now;
        try {
            now = rtnl.device(device.index());
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENODEV) return;
            throw e;
        }
        if (now.xdp().has(programId)) rtnl.setXdp(device, -1, mode.flag(), -1);
    }

    @Override
    public String toString() {
        return "XdpLink[" + device.describe() + " " + mode + (link != null ? " bpf_link" : " netlink")
                + " prog " + programId + (closed ? ", closed" : "") + "]";
    }
}
