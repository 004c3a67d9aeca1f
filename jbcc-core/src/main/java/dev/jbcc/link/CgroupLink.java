package dev.jbcc.link;

import dev.jbcc.features.Feature;
import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.LinkCreateAttr;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.ProgramType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cgroup program (cgroup_skb, cgroup/sock_create, cgroup/connect4, sockops, cgroup/sysctl,
 * lsm_cgroup, ...) on a cgroup v2 directory: a cgroup bpf_link (5.7+), else
 * {@code BPF_PROG_ATTACH} with the options' flags, undone by {@code BPF_PROG_DETACH} on close.
 * It applies to every process in the cgroup and its descendants.
 */
public final class CgroupLink implements Link {
    /** How the program was attached. */
    public enum Mechanism {
        /** A cgroup bpf_link: detaches when the last fd/pin goes, survives nothing else. */
        LINK,
        /** BPF_PROG_ATTACH: stays until BPF_PROG_DETACH (done by {@link #close()}). */
        PROG_ATTACH
    }

    private static final Set<ProgramType> CGROUP_TYPES = Set.of(ProgramType.CGROUP_SKB, ProgramType.CGROUP_SOCK,
            ProgramType.CGROUP_SOCK_ADDR, ProgramType.SOCK_OPS, ProgramType.CGROUP_DEVICE, ProgramType.CGROUP_SYSCTL,
            ProgramType.CGROUP_SOCKOPT, ProgramType.LSM);

    private static final int O_DIRECTORY = 0x10000;

    private final Path cgroup;
    private final AttachType attachType;
    private final RawLink link;
    /** For PROG_ATTACH: the cgroup and a reference to the program, both needed to detach. */
    private final Fd cgroupFd;
    private final Fd program;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CgroupLink(Path cgroup, AttachType attachType, RawLink link, Fd cgroupFd, Fd program) {
        this.cgroup = cgroup;
        this.attachType = attachType;
        this.link = link;
        this.cgroupFd = cgroupFd;
        this.program = program;
    }

    public static CgroupLink attach(Program program, Path cgroup) {
        return attach(program, CgroupOptions.of(cgroup));
    }

    /**
     * @throws NotFoundException            if the cgroup directory does not exist
     * @throws IllegalArgumentException     if the program is no cgroup program or has no attach type
     */
    public static CgroupLink attach(Program program, CgroupOptions options) {
        if (!CGROUP_TYPES.contains(program.type())
                || (program.type() == ProgramType.LSM && program.attachType() != AttachType.LSM_CGROUP)) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + " program; CgroupLink attaches cgroup programs (cgroup_skb/, cgroup/, sockops, lsm_cgroup/)");
        }
        AttachType attachType = options.attachType() != null ? options.attachType() : program.attachType();
        if (attachType == null) {
            throw new IllegalArgumentException("program '" + program.name() + "' was loaded without an expected attach"
                    + " type; name the hook with CgroupOptions.withAttachType (e.g. CGROUP_INET_EGRESS)");
        }
        int raw;
        try (Arena path = Arena.ofConfined()) {
            raw = Libc.open(path.allocateFrom(options.cgroup().toString()), Libc.O_RDONLY | O_DIRECTORY | Libc.O_CLOEXEC);
        }
        if (raw < 0) {
            if (-raw == Errno.ENOENT || -raw == Errno.ENOTDIR) {
                throw new NotFoundException("cgroup " + options.cgroup() + " does not exist (cgroup v2 is mounted at "
                        + describeRoot() + ")");
            }
            throw new SyscallException("open(" + options.cgroup() + ")", -raw);
        }
        Fd cgroupFd = Fd.adopt(raw);
        try (Arena arena = Arena.ofConfined()) {
            if (options.method() != CgroupOptions.Method.PROG_ATTACH) {
                var attr = new LinkCreateAttr(arena).progFd(Handles.of(program)).target(cgroupFd.raw())
                        .attachType(attachType.value());
                try {
                    RawLink link = new RawLink(Bpf.linkCreate(attr));
                    cgroupFd.close(); // the link holds the cgroup
                    return new CgroupLink(options.cgroup(), attachType, link, null, null);
                } catch (SyscallException e) {
                    // EINVAL: a kernel without cgroup links (before 5.7); AUTO tries the old way.
                    if (e.errno() != Errno.EINVAL || options.method() == CgroupOptions.Method.LINK) {
                        throw explain(program, options, attachType, e);
                    }
                }
            }
            // Our own reference to the program, so that close() can detach after the caller closed it.
            Fd progRef = Bpf.progGetFdById(program.id());
            try {
                Bpf.progAttach(cgroupFd.raw(), progRef, attachType.value(), options.flags(), null);
            } catch (SyscallException e) {
                progRef.close();
                throw explain(program, options, attachType, e);
            }
            return new CgroupLink(options.cgroup(), attachType, null, cgroupFd, progRef);
        } catch (RuntimeException e) {
            cgroupFd.close();
            throw e;
        }
    }

    private static RuntimeException explain(Program program, CgroupOptions options, AttachType attachType,
                                            SyscallException e) {
        String what = "attach " + program.type() + " program '" + program.name() + "' to " + options.cgroup()
                + " at " + attachType;
        return switch (e.errno()) {
            case Errno.EINVAL -> new SyscallException(what, e.errno(), "the attach type does not suit the program"
                    + " (it was loaded for " + program.attachType() + "), or " + options.cgroup() + " is not a cgroup v2"
                    + " directory (cgroup v2 is at " + describeRoot() + ")");
            case Errno.EPERM -> new SyscallException(what, e.errno(), "an exclusive program is attached there already,"
                    + " or this process lacks CAP_NET_ADMIN/CAP_SYS_ADMIN");
            case Errno.EEXIST -> new SyscallException(what, e.errno(), "this program is already attached there");
            default -> e;
        };
    }

    private static String describeRoot() {
        Path root = cgroupV2RootOrNull();
        return root == null ? "nowhere: mount it with mount -t cgroup2 none /sys/fs/cgroup" : root.toString();
    }

    /**
     * Where cgroup v2 is mounted: /sys/fs/cgroup on unified systems, /sys/fs/cgroup/unified on
     * hybrid ones (read from /proc/self/mountinfo).
     *
     * @throws UnsupportedFeatureException if no cgroup2 file system is mounted
     */
    public static Path cgroupV2Root() {
        Path root = cgroupV2RootOrNull();
        if (root == null) {
            throw Feature.CGROUP_V2.unsupported(
                    "no cgroup2 file system is mounted; mount -t cgroup2 none /sys/fs/cgroup/unified");
        }
        return root;
    }

    private static Path cgroupV2RootOrNull() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // "36 25 0:30 / /sys/fs/cgroup/unified rw,... shared:9 - cgroup2 cgroup2 rw"
                int dash = line.indexOf(" - ");
                if (dash < 0 || !line.startsWith("cgroup2 ", dash + 3)) continue;
                String[] fields = line.substring(0, dash).split(" ");
                if (fields.length > 4) return Path.of(fields[4].replace("\\040", " "));
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    public Path cgroup() {
        return cgroup;
    }

    public AttachType attachType() {
        return attachType;
    }

    public Mechanism mechanism() {
        return link != null ? Mechanism.LINK : Mechanism.PROG_ATTACH;
    }

    /** The cgroup bpf_link, or null when attached with BPF_PROG_ATTACH. */
    public RawLink rawLink() {
        return link;
    }

    /** @throws dev.jbcc.errors.PinException when attached with BPF_PROG_ATTACH, which has no link to pin */
    @Override
    public void pin(Path path) {
        if (link == null) {
            throw Links.cannotPin("a cgroup program attached with BPF_PROG_ATTACH",
                    "attach with a cgroup bpf_link (Linux 5.7+) to pin it");
        }
        link.pin(path);
    }

    @Override
    public void unpin() {
        if (link != null) link.unpin();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (link != null) {
            link.close();
            return;
        }
        try {
            Bpf.progDetach(cgroupFd.raw(), program, attachType.value());
        } finally {
            program.close();
            cgroupFd.close();
        }
    }

    @Override
    public String toString() {
        return "CgroupLink[" + cgroup + ", " + attachType + ", " + mechanism() + (closed.get() ? ", closed" : "") + "]";
    }
}
