package dev.jbcc.link;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.features.Feature;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.OwnerTag;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The owners of the XDP programs jbcc attached through netlink, which stay attached when a
 * process is killed before close. IFLA_XDP has no name to carry {@link OwnerTag}'s mark, as a TC
 * filter's does, so the mark is an empty file per attachment under {@value #DIRECTORY} (tmpfs:
 * gone at reboot, as the attachments are), named
 * {@code NETNS.IFINDEX.PROGRAMID.MODEFLAG.PID.START}: the namespace (its nsfs inode), the device,
 * the program, its mode, and the owning process. Close removes the file; {@link #removeLeftovers}
 * detaches what processes that are gone left in the calling thread's namespace.
 */
final class XdpOwners {
    static final String DIRECTORY = "/run/jbcc/xdp";
    private static final Path DIR = Path.of(DIRECTORY);
    private static final Pattern NAME = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)");
    private static final System.Logger LOG = System.getLogger(XdpOwners.class.getName());

    private XdpOwners() {}

    /**
     * Marks {@code programId}, attached to {@code device} of the calling thread's namespace in
     * {@code mode}, as this process's; null (logged) if the mark cannot be written: the attachment
     * stands, only a kill -9 would leave it for good.
     */
    static Path mark(NetDevice device, int programId, XdpMode mode) {
        try {
            Path file = DIR.resolve(NetLinks.currentNetns() + "." + device.index() + "." + programId + "." + mode.flag() + "."
                    + OwnerTag.pid() + "." + OwnerTag.start());
            Files.createDirectories(DIR, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.deleteIfExists(file);
            Files.createFile(file);
            return file;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot mark the XDP program on " + device.describe() + " as this process's", e);
            return null;
        }
    }

    /** Removes a mark; nothing if null. */
    static void unmark(Path file) {
        if (file == null) return;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot remove " + file, e);
        }
    }

    /**
     * Detaches the XDP programs that processes now gone attached through netlink in the calling
     * thread's network namespace, if each is still the one attached, and forgets them.
     */
    static List<XdpLink.Leftover> removeLeftovers() {
        var removed = new ArrayList<XdpLink.Leftover>();
        long netns = NetLinks.currentNetns();
        var left = new ArrayList<Matcher>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(DIR)) {
            for (Path file : files) {
                Matcher m = NAME.matcher(file.getFileName().toString());
                if (m.matches() && Long.parseLong(m.group(1)) == netns
                        && OwnerTag.isGone(Long.parseLong(m.group(5)), m.group(6))) left.add(m);
            }
        } catch (NoSuchFileException e) {
            return removed; // nothing ever marked
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read " + DIR, e);
            return removed;
        }
        if (left.isEmpty()) return removed;
        try (RtNetlink rtnl = RtNetlink.open()) {
            for (Matcher m : left) {
                Path file = DIR.resolve(m.group());
                int programId = Integer.parseInt(m.group(3));
                XdpMode mode = modeOf(Integer.parseInt(m.group(4)));
                NetDevice device;
                try {
                    device = rtnl.device(Integer.parseInt(m.group(2)));
                } catch (SyscallException e) {
                    if (e.errno() != Errno.ENODEV) throw e;
                    unmark(file); // the device went, and its program with it
                    continue;
                }
                if (device.xdp().has(programId) && detach(rtnl, device, programId, mode)) {
                    removed.add(new XdpLink.Leftover(device.name(), programId, mode));
                }
                unmark(file);
            }
        }
        return removed;
    }

    /** Removes {@code programId} from {@code device} if it is still the one attached; false if another took its place. */
    private static boolean detach(RtNetlink rtnl, NetDevice device, int programId, XdpMode mode) {
        if (Feature.XDP_FLAGS_REPLACE.versionReached()) {
            try (Fd expected = Bpf.progGetFdById(programId)) {
                rtnl.setXdp(device, -1, mode.flag() | RtNetlink.XDP_FLAGS_REPLACE, expected.raw());
                return true;
            } catch (SyscallException e) {
                if (e.errno() == Errno.EEXIST || e.errno() == Errno.ENOENT) return false; // replaced, or gone
                throw e;
            }
        }
        rtnl.setXdp(device, -1, mode.flag(), -1); // before 5.7: the id was checked just before
        return true;
    }

    private static XdpMode modeOf(int flag) {
        for (XdpMode mode : XdpMode.values()) if (mode.flag() == flag) return mode;
        return XdpMode.AUTO;
    }
}
