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
import dev.jbcc.spec.ProgramType;

import java.lang.foreign.Arena;

/**
 * A TC program on a device's tcx hook (BPF_LINK_CREATE with BPF_TCX_INGRESS / BPF_TCX_EGRESS,
 * Linux 6.6+): no qdisc, several programs per hook, detached when the link closes. The program's
 * return value is the verdict, as with a direct-action filter ({@code TCX_NEXT} = -1 passes on to
 * the next program or the clsact filters). The device is looked up in the calling thread's
 * network namespace.
 */
public final class TcxLink implements BpfLinkBacked {
    private final RawLink link;
    private final NetDevice device;
    private final TcDirection direction;

    private TcxLink(RawLink link, NetDevice device, TcDirection direction) {
        this.link = link;
        this.device = device;
        this.direction = direction;
    }

    /**
     * Attaches {@code program} (a SCHED_CLS program) to the ingress or egress of {@code device}.
     *
     * @throws IllegalArgumentException    if the program is not a SCHED_CLS program
     * @throws UnsupportedFeatureException on kernels before 6.6, which have no tcx
     * @throws SyscallException            naming the device otherwise
     */
    public static TcxLink attach(Program program, String device, TcDirection direction) {
        NetLinks.requireType(program, ProgramType.SCHED_CLS, "TcxLink", "SEC(\"tcx/ingress\") or SEC(\"tcx/egress\")");
        NetDevice dev = NetLinks.device(device);
        try (Arena arena = Arena.ofConfined()) {
            var attr = new LinkCreateAttr(arena).progFd(Handles.of(program)).target(dev.index())
                    .attachType(direction.tcxAttachType().value());
            Fd fd = Bpf.linkCreate(attr);
            return new TcxLink(new RawLink(fd), dev, direction);
        } catch (SyscallException e) {
            if (e.errno() == Errno.EINVAL && !Feature.TCX.available()) {
                throw Feature.TCX.unsupported("attach with TcLink (a clsact qdisc and a direct-action bpf filter) instead");
            }
            throw new SyscallException("BPF_LINK_CREATE tcx " + direction.name().toLowerCase() + " on "
                    + dev.describe(), e.errno());
        }
    }

    public NetDevice device() {
        return device;
    }

    public TcDirection direction() {
        return direction;
    }

    /** The underlying bpf_link. */
    @Override
    public RawLink rawLink() {
        return link;
    }

    @Override
    public String toString() {
        return "TcxLink[" + device.describe() + " " + direction + " " + link + "]";
    }
}
