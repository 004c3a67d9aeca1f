package dev.jbcc.link;

import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Sockets;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.TcHandle;
import dev.jbcc.spec.ProgramType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A socket filter program on a raw AF_PACKET socket bound to one device: bcc's
 * {@code attach_raw_socket}. The socket receives every frame of the device (both directions,
 * from the Ethernet header on) that the program lets through; the program returns how many bytes
 * of the frame to keep, 0 to drop it. Read them with {@link #receive}.
 *
 * <p>The filter is attached before the socket is bound, so not one unfiltered frame is queued.
 * The device is looked up, and the socket made, in the calling thread's network namespace.
 * {@link #close()} closes the socket; don't close it while another thread is in {@code receive}.
 */
public final class SocketFilter implements Link {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    /** struct sockaddr_ll { u16 family; be16 protocol; s32 ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; } */
    private static final int SOCKADDR_LL_SIZE = 20;
    /** struct pollfd { s32 fd; s16 events; s16 revents; } */
    private static final int POLLFD_SIZE = 8;

    private final Fd socket;
    private final NetDevice device;
    private final int programId;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pollFd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SocketFilter(Fd socket, NetDevice device, int programId) {
        this.socket = socket;
        this.device = device;
        this.programId = programId;
        pollFd = arena.allocate(POLLFD_SIZE, 4);
        pollFd.set(U32, 0, socket.raw());
        pollFd.set(U16, 4, Sockets.POLLIN);
    }

    /**
     * Opens a raw packet socket on {@code device} with {@code program} (a SOCKET_FILTER program)
     * as its filter.
     *
     * @throws IllegalArgumentException if the program is not a SOCKET_FILTER program
     * @throws SyscallException         naming the device (unknown device: ENODEV)
     */
    public static SocketFilter attach(Program program, String device) {
        NetLinks.requireType(program, ProgramType.SOCKET_FILTER, "SocketFilter", "SEC(\"socket\")");
        NetDevice dev = NetLinks.device(device);
        // Protocol 0: the socket receives nothing until bind names the protocol, after the filter is on.
        int raw = Sockets.socket(Sockets.AF_PACKET, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC, 0);
        if (raw < 0) throw new SyscallException("socket(AF_PACKET, SOCK_RAW) for " + dev.describe(), -raw);
        Fd fd = Fd.adopt(raw);
        try (Arena tmp = Arena.ofConfined()) {
            int rc = Sockets.setsockopt(fd.raw(), Sockets.SOL_SOCKET, Sockets.SO_ATTACH_BPF,
                    tmp.allocateFrom(ValueLayout.JAVA_INT, program.fd()));
            if (rc < 0) throw new SyscallException("setsockopt(SO_ATTACH_BPF) of program '" + program.name()
                    + "' on a packet socket for " + dev.describe(), -rc);
            MemorySegment addr = tmp.allocate(SOCKADDR_LL_SIZE, 4);
            addr.set(U16, 0, (short) Sockets.AF_PACKET);
            addr.set(U16, 2, (short) htons(TcHandle.ETH_P_ALL));
            addr.set(U32, 4, dev.index());
            rc = Sockets.bind(fd.raw(), addr);
            if (rc < 0) throw new SyscallException("bind(AF_PACKET) to " + dev.describe(), -rc,
                    -rc == Errno.ENODEV ? "the device " + device + " went away" : null);
            return new SocketFilter(fd, dev, program.id());
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static int htons(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? v : Short.toUnsignedInt(Short.reverseBytes((short) v));
    }

    /** The socket's fd, for a poller of the caller's own (valid until close). */
    public int fd() {
        return socket.raw();
    }

    public NetDevice device() {
        return device;
    }

    public int programId() {
        return programId;
    }

    /**
     * Waits up to {@code timeout} for a frame and copies it into {@code buffer}.
     *
     * @return the frame's length (more than {@code buffer}'s size if it was cut short), or -1 if
     *         none came in time
     */
    public int receive(MemorySegment buffer, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long n = Sockets.recv(socket.raw(), buffer, buffer.byteSize(), Sockets.MSG_DONTWAIT | Sockets.MSG_TRUNC);
            if (n >= 0) return (int) n;
            if (n != -Errno.EAGAIN && n != -Errno.EINTR) {
                throw new SyscallException("recv from packet socket on " + device.describe(), (int) -n);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return -1;
            int rc = Sockets.poll(pollFd, 1, (int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)));
            if (rc < 0 && rc != -Errno.EINTR) throw new SyscallException("poll packet socket on " + device.describe(), -rc);
        }
    }

    /** Waits up to {@code timeout} for a frame; empty if none came. Allocates; see {@link #receive(MemorySegment, Duration)}. */
    public Optional<byte[]> receive(Duration timeout) {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment buf = tmp.allocate(65536);
            int n = receive(buf, timeout);
            if (n < 0) return Optional.empty();
            return Optional.of(buf.asSlice(0, Math.min(n, buf.byteSize())).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Override
    public void pin(Path path) {
        throw Links.cannotPin("a socket filter", null);
    }

    @Override
    public void unpin() {
    }

    /** Closes the socket, which detaches the filter. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        socket.close();
        arena.close();
    }

    @Override
    public String toString() {
        return "SocketFilter[" + device.describe() + " prog " + programId + (socket.isClosed() ? ", closed" : "") + "]";
    }
}
