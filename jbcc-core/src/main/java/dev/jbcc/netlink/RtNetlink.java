package dev.jbcc.netlink;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.SyscallException;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static dev.jbcc.netlink.Nl.*;

/**
 * A pure-Java rtnetlink client for what attaching BPF programs to the network needs: devices
 * (name, index, attached XDP programs), XDP attach and detach (IFLA_XDP), the clsact qdisc and
 * "bpf" classifiers, in the manner of {@code ip link set xdp}, {@code tc} and pyroute2's
 * {@code IPRoute}.
 *
 * <p>The client works in the network namespace of the thread that opened it (see
 * {@link #open(NetNamespace)}), from any thread afterwards. Failures are {@link SyscallException}s
 * that name the request and the device and quote the kernel's extended-ACK message. Thread-safe:
 * requests are serialized on the one socket.
 */
public final class RtNetlink implements AutoCloseable {
    /** IFLA_XDP_FLAGS: fail if a program is attached already. */
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    /** IFLA_XDP_FLAGS mode bits: generic (skb), native (driver), offloaded (hardware). */
    public static final int XDP_FLAGS_SKB_MODE = 2, XDP_FLAGS_DRV_MODE = 4, XDP_FLAGS_HW_MODE = 8;
    /** IFLA_XDP_FLAGS: replace only the program given as the expected one (Linux 5.7+). */
    public static final int XDP_FLAGS_REPLACE = 16;
    public static final int XDP_FLAGS_MODES = XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE | XDP_FLAGS_HW_MODE;

    private static final String CLSACT = "clsact";
    private static final String BPF = "bpf";

    private final NetlinkSocket socket;

    private RtNetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a client in the calling thread's network namespace. */
    public static RtNetlink open() {
        return new RtNetlink(NetlinkSocket.open());
    }

    /** Opens a client in {@code namespace}; it keeps working there whatever thread uses it. */
    public static RtNetlink open(NetNamespace namespace) {
        return namespace.call(RtNetlink::open);
    }

    // ---- devices ----

    /**
     * The device named {@code name}.
     *
     * @throws SyscallException (ENODEV) naming the device if this namespace has none of that name
     */
    public NetDevice device(String name) {
        Objects.requireNonNull(name, "name");
        var replies = socket.exchange(RTM_GETLINK, 0,
                m -> m.ifinfomsg(0).u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS).string(IFLA_IFNAME, name),
                "look up network device " + name,
                errno -> errno == Errno.ENODEV ? "there is no network device named '" + name
                        + "' in this network namespace (ip link lists them)" : null);
        return firstDevice(replies, name);
    }

    /**
     * The device with interface index {@code index}.
     *
     * @throws SyscallException (ENODEV) if there is none
     */
    public NetDevice device(int index) {
        var replies = socket.exchange(RTM_GETLINK, 0,
                m -> m.ifinfomsg(index).u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS),
                "look up network device with ifindex " + index,
                errno -> errno == Errno.ENODEV ? "there is no network device with ifindex " + index
                        + " in this network namespace" : null);
        return firstDevice(replies, "ifindex " + index);
    }

    /** Every device of this namespace. */
    public List<NetDevice> devices() {
        var replies = socket.exchange(RTM_GETLINK, NLM_F_DUMP,
                m -> m.ifinfomsg(0).u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS), "list network devices", null);
        List<NetDevice> out = new ArrayList<>(replies.size());
        for (var r : replies) if (r.type() == RTM_NEWLINK) out.add(parseDevice(r.body()));
        return out;
    }

    private static NetDevice firstDevice(List<NetlinkSocket.Reply> replies, String what) {
        for (var r : replies) if (r.type() == RTM_NEWLINK) return parseDevice(r.body());
        throw new SyscallException("look up network device " + what, Errno.ENODEV, "the kernel sent no device");
    }

    /** An RTM_NEWLINK reply's body: ifinfomsg and attributes. */
    static NetDevice parseDevice(MemorySegment body) {
        requireHeader(body, IFINFOMSG_LEN, "RTM_NEWLINK", "ifinfomsg");
        int index = body.get(U32, IFI_INDEX);
        int flags = body.get(U32, IFI_FLAGS);
        Attributes attrs = Attributes.parse(body.asSlice(IFINFOMSG_LEN));
        Attributes xdp = attrs.nested(IFLA_XDP);
        XdpAttachment attached = XdpAttachment.NONE;
        int mode = xdp.u8(IFLA_XDP_ATTACHED, 0);
        if (mode != 0) {
            // One mode: the id may come only as IFLA_XDP_PROG_ID. Several: one id per mode.
            int single = xdp.u32(IFLA_XDP_PROG_ID, 0);
            attached = new XdpAttachment(
                    xdp.u32(IFLA_XDP_SKB_PROG_ID, mode == 2 ? single : 0),
                    xdp.u32(IFLA_XDP_DRV_PROG_ID, mode == 1 ? single : 0),
                    xdp.u32(IFLA_XDP_HW_PROG_ID, mode == 3 ? single : 0));
        }
        return new NetDevice(index, attrs.string(IFLA_IFNAME), flags, attrs.u32(IFLA_MTU, 0), attached);
    }

    // ---- XDP ----

    /**
     * Attaches, replaces or removes the XDP program of a device (RTM_SETLINK with IFLA_XDP), what
     * {@code ip link set dev D xdp ...} and bcc's {@code attach_xdp}/{@code remove_xdp} do.
     *
     * @param programFd  the XDP program, or -1 to remove the one attached in the flags' mode
     * @param flags      XDP_FLAGS_* (at most one mode bit)
     * @param expectedFd with {@link #XDP_FLAGS_REPLACE}: the program that must be attached now
     *                   for the change to happen (-1: none may be); ignored without that flag
     * @throws SyscallException naming the device, with the kernel's reason (e.g. EBUSY
     *                          "XDP program already attached" under UPDATE_IF_NOEXIST, EEXIST
     *                          "Active program does not match expected" under REPLACE)
     */
    public void setXdp(NetDevice device, int programFd, int flags, int expectedFd) {
        String op = "RTM_SETLINK IFLA_XDP " + (programFd < 0 ? "remove" : "attach") + " on " + device.describe();
        socket.exchange(RTM_SETLINK, 0, m -> {
            m.ifinfomsg(device.index());
            int nest = m.nest(IFLA_XDP);
            m.u32(IFLA_XDP_FD, programFd);
            if (flags != 0) m.u32(IFLA_XDP_FLAGS, flags);
            if ((flags & XDP_FLAGS_REPLACE) != 0) m.u32(IFLA_XDP_EXPECTED_FD, expectedFd);
            m.end(nest);
        }, op, errno -> xdpHint(errno, flags));
    }

    private static String xdpHint(int errno, int flags) {
        return switch (errno) {
            case Errno.EBUSY -> (flags & XDP_FLAGS_UPDATE_IF_NOEXIST) != 0
                    ? "remove the attached program first, or attach without update-if-noexist to replace it"
                    : "a bpf_link holds the device's XDP hook; close that link first";
            case Errno.EEXIST -> (flags & XDP_FLAGS_REPLACE) != 0
                    ? "the attached program is not the expected one"
                    : "a program is attached in another mode; remove it first";
            case Errno.EOPNOTSUPP -> "the driver lacks this XDP mode; use generic (skb) mode";
            case Errno.EINVAL -> (flags & XDP_FLAGS_HW_MODE) != 0
                    ? "offload needs a NIC that supports it and a program loaded for that device" : null;
            default -> null;
        };
    }

    // ---- qdiscs ----

    /** The qdiscs of a device. */
    public List<Qdisc> qdiscs(NetDevice device) {
        var replies = socket.exchange(RTM_GETQDISC, NLM_F_DUMP, m -> m.tcmsg(device.index(), 0, 0, 0),
                "list qdiscs of " + device.describe(), null);
        List<Qdisc> out = new ArrayList<>();
        for (var r : replies) {
            if (r.type() != RTM_NEWQDISC) continue;
            Qdisc q = parseQdisc(r.body());
            if (q.ifindex() == device.index()) out.add(q); // kernels without strict checking dump every device
        }
        return out;
    }

    /** An RTM_NEWQDISC reply's body: tcmsg and attributes. */
    static Qdisc parseQdisc(MemorySegment b) {
        requireHeader(b, TCMSG_LEN, "RTM_NEWQDISC", "tcmsg");
        Attributes attrs = Attributes.parse(b.asSlice(TCMSG_LEN));
        return new Qdisc(b.get(U32, TCM_IFINDEX), attrs.string(TCA_KIND), b.get(U32, TCM_HANDLE), b.get(U32, TCM_PARENT));
    }

    private static void requireHeader(MemorySegment body, int size, String message, String header) {
        if (body.byteSize() < size) {
            throw new FormatException("netlink: an " + message + " reply of " + body.byteSize() + " bytes is shorter than its "
                    + size + "-byte " + header);
        }
    }

    /** True if the device has a clsact qdisc. */
    public boolean hasClsact(NetDevice device) {
        for (Qdisc q : qdiscs(device)) if (q.isClsact()) return true;
        return false;
    }

    /**
     * Adds a qdisc (NLM_F_CREATE | NLM_F_EXCL, like {@code tc qdisc add}).
     *
     * @throws SyscallException EEXIST if the device has one there already
     */
    public void addQdisc(NetDevice device, String kind, int handle, int parent) {
        socket.exchange(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL,
                m -> m.tcmsg(device.index(), handle, parent, 0).string(TCA_KIND, kind),
                "RTM_NEWQDISC " + kind + " on " + device.describe(), null);
    }

    /**
     * Deletes a qdisc, which takes its filters with it.
     *
     * @throws SyscallException (ENOENT or EINVAL) if there is no such qdisc
     */
    public void deleteQdisc(NetDevice device, String kind, int handle, int parent) {
        socket.exchange(RTM_DELQDISC, 0,
                m -> m.tcmsg(device.index(), handle, parent, 0).string(TCA_KIND, kind),
                "RTM_DELQDISC " + kind + " on " + device.describe(), null);
    }

    /**
     * Adds the clsact qdisc ({@code tc qdisc add dev D clsact}), which gives the device an
     * ingress and an egress hook for filters.
     *
     * @return true if this call added it, false if the device had one already
     */
    public boolean addClsact(NetDevice device) {
        try {
            addQdisc(device, CLSACT, TcHandle.CLSACT_HANDLE, TcHandle.CLSACT);
            return true;
        } catch (SyscallException e) {
            if (e.errno() == Errno.EEXIST) return false;
            throw e;
        }
    }

    /** Deletes the clsact qdisc and with it every filter on the device's ingress and egress hooks. */
    public void deleteClsact(NetDevice device) {
        deleteQdisc(device, CLSACT, TcHandle.CLSACT_HANDLE, TcHandle.CLSACT);
    }

    // ---- filters ----

    /**
     * Adds a "bpf" classifier under {@code parent} (e.g. {@link TcHandle#INGRESS}), what
     * {@code tc filter add dev D ingress bpf da fd N} does.
     *
     * @return the filter as the kernel created it (its priority and handle filled in)
     * @throws SyscallException naming the device; e.g. when the parent has no clsact qdisc
     */
    public TcFilter addBpfFilter(NetDevice device, int parent, BpfFilterSpec spec) {
        String op = "RTM_NEWTFILTER bpf " + spec.name() + " on " + device.describe() + " parent " + TcHandle.format(parent);
        var replies = socket.exchange(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, m -> {
            m.tcmsg(device.index(), spec.handle(), parent, (spec.priority() << 16) | htons(spec.protocol()));
            m.string(TCA_KIND, BPF);
            int nest = m.nest(TCA_OPTIONS);
            m.u32(TCA_BPF_FD, spec.programFd());
            m.string(TCA_BPF_NAME, spec.name());
            if (spec.directAction()) m.u32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
            if (spec.classId() != 0) m.u32(TCA_BPF_CLASSID, spec.classId());
            m.end(nest);
        }, op, errno -> switch (errno) {
            case Errno.EINVAL, Errno.ENOENT -> "the parent must exist: add the clsact qdisc first";
            case Errno.EEXIST -> "a filter with this priority and handle exists; pick another";
            default -> null;
        });
        for (var r : replies) {
            if (r.type() == RTM_NEWTFILTER) {
                TcFilter f = parseFilter(r.body());
                if (f.handle() != 0) return f;
            }
        }
        // No echo (it is best effort): find the filter by its program.
        for (TcFilter f : filters(device, parent)) {
            if (BPF.equals(f.kind()) && spec.name().equals(f.bpfName())
                    && (spec.priority() == 0 || f.priority() == spec.priority())
                    && (spec.handle() == 0 || f.handle() == spec.handle())) {
                return f;
            }
        }
        throw new SyscallException(op, Errno.ENOENT, "the kernel accepted the filter but does not list it");
    }

    /** Deletes one filter (by parent, priority, protocol, handle and kind). */
    public void deleteFilter(NetDevice device, TcFilter filter) {
        socket.exchange(RTM_DELTFILTER, 0, m -> m
                        .tcmsg(device.index(), filter.handle(), filter.parent(),
                                (filter.priority() << 16) | htons(filter.protocol()))
                        .string(TCA_KIND, filter.kind()),
                "RTM_DELTFILTER " + filter + " on " + device.describe(), null);
    }

    /** The filters under {@code parent} (e.g. {@link TcHandle#INGRESS}); empty if the parent does not exist. */
    public List<TcFilter> filters(NetDevice device, int parent) {
        var replies = socket.exchange(RTM_GETTFILTER, NLM_F_DUMP, m -> m.tcmsg(device.index(), 0, parent, 0),
                "list filters of " + device.describe() + " parent " + TcHandle.format(parent), null);
        List<TcFilter> out = new ArrayList<>();
        for (var r : replies) {
            if (r.type() != RTM_NEWTFILTER) continue;
            TcFilter f = parseFilter(r.body());
            // Each priority is announced once with handle 0 before its filters.
            if (f.handle() != 0 && f.ifindex() == device.index()) out.add(f);
        }
        return out;
    }

    /** An RTM_NEWTFILTER reply's body: tcmsg and attributes. */
    static TcFilter parseFilter(MemorySegment b) {
        requireHeader(b, TCMSG_LEN, "RTM_NEWTFILTER", "tcmsg");
        int info = b.get(U32, TCM_INFO);
        Attributes attrs = Attributes.parse(b.asSlice(TCMSG_LEN));
        String kind = attrs.string(TCA_KIND);
        String name = null;
        int progId = 0;
        boolean da = false;
        if (BPF.equals(kind)) {
            Attributes opts = attrs.nested(TCA_OPTIONS);
            name = opts.string(TCA_BPF_NAME);
            progId = opts.u32(TCA_BPF_ID, 0);
            da = (opts.u32(TCA_BPF_FLAGS, 0) & TCA_BPF_FLAG_ACT_DIRECT) != 0;
        }
        return new TcFilter(b.get(U32, TCM_IFINDEX), b.get(U32, TCM_PARENT), kind, info >>> 16,
                ntohs(info & 0xFFFF), b.get(U32, TCM_HANDLE), attrs.u32(TCA_CHAIN, 0), name, progId, da);
    }

    /** Closes the socket. Idempotent. */
    @Override
    public void close() {
        socket.close();
    }
}
