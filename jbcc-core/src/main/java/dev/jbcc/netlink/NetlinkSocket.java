package dev.jbcc.netlink;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.FormatException;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Sockets;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

import static dev.jbcc.netlink.Nl.*;

/**
 * An AF_NETLINK / NETLINK_ROUTE socket that sends one request at a time and collects its replies
 * up to the kernel's ACK (or, for dumps, NLMSG_DONE). Extended ACKs are on, so a failure carries
 * the kernel's own sentence. The socket belongs to the network namespace of the thread that
 * opened it, whatever thread uses it later.
 */
final class NetlinkSocket implements AutoCloseable {
    private static final int SEND_SIZE = 8192;
    private static final int RECV_START = 32768;
    private static final int DUMP_ATTEMPTS = 4;

    /** One reply: its message type and flags, and the bytes after the nlmsghdr (a heap copy). */
    record Reply(int type, int flags, MemorySegment body) {}

    private final Fd fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sendBuf;
    private final MemorySegment kernel;
    private final ReentrantLock lock = new ReentrantLock();
    private MemorySegment recvBuf;
    private int seq;
    private boolean closed;

    private NetlinkSocket(Fd fd) {
        this.fd = fd;
        sendBuf = arena.allocate(SEND_SIZE, 8);
        recvBuf = arena.allocate(RECV_START, 8);
        kernel = sockaddrNl(arena);
        seq = (int) (System.nanoTime() & 0x3FFFFFFF);
    }

    /** struct sockaddr_nl { u16 family; u16 pad; u32 pid; u32 groups; } with pid 0 (the kernel / "assign one"). */
    private static MemorySegment sockaddrNl(Arena arena) {
        MemorySegment addr = arena.allocate(12, 4);
        addr.set(U16, 0, (short) Sockets.AF_NETLINK);
        return addr;
    }

    /** Opens a route netlink socket in the calling thread's network namespace. */
    static NetlinkSocket open() {
        int raw = Sockets.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW | Sockets.SOCK_CLOEXEC, NETLINK_ROUTE);
        if (raw < 0) throw new SyscallException("socket(AF_NETLINK, NETLINK_ROUTE)", -raw);
        Fd fd = Fd.adopt(raw);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment one = tmp.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, 1);
            // Best effort: kernels before 4.12 / 4.20 lack these, and only the messages get poorer.
            Sockets.setsockopt(fd.raw(), Sockets.SOL_NETLINK, NETLINK_EXT_ACK, one);
            Sockets.setsockopt(fd.raw(), Sockets.SOL_NETLINK, NETLINK_CAP_ACK, one);
            Sockets.setsockopt(fd.raw(), Sockets.SOL_NETLINK, NETLINK_GET_STRICT_CHK, one);
            int rc = Sockets.bind(fd.raw(), sockaddrNl(tmp));
            if (rc < 0) throw new SyscallException("bind(AF_NETLINK)", -rc);
            return new NetlinkSocket(fd);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Runs one request. {@code build} fills the message (the header is already there); the
     * result is every reply before the ACK or DONE.
     *
     * @param operation names the request in an exception, e.g. "RTM_NEWQDISC clsact on eth0"
     * @param hint      what to do about an errno (null for nothing), appended to the kernel's message
     * @throws SyscallException with the kernel's errno and extended-ACK message
     */
    List<Reply> exchange(int type, int flags, java.util.function.Consumer<Message> build, String operation,
                         IntFunction<String> hint) {
        boolean dump = (flags & NLM_F_DUMP) == NLM_F_DUMP && isGet(type);
        int requestFlags = NLM_F_REQUEST | flags | (dump ? 0 : NLM_F_ACK);
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("netlink socket is closed");
            for (int attempt = 1; ; attempt++) {
                Message m = new Message(sendBuf, type, requestFlags);
                build.accept(m);
                int mySeq = ++seq;
                MemorySegment bytes = m.seal(mySeq);
                long sent;
                do {
                    sent = Sockets.sendto(fd.raw(), bytes, bytes.byteSize(), 0, kernel);
                } while (sent == -Errno.EINTR);
                if (sent < 0) throw new SyscallException(operation + ": sendto(netlink)", (int) -sent);
                List<Reply> replies = new ArrayList<>();
                boolean interrupted = receive(mySeq, replies, operation, hint);
                if (!interrupted || attempt == DUMP_ATTEMPTS) return replies;
                // The dump raced with a change (NLM_F_DUMP_INTR): its pieces may not fit together.
            }
        } finally {
            lock.unlock();
        }
    }

    private static boolean isGet(int type) {
        return (type & 3) == 2; // RTM_GET* are the third of each group of four
    }

    /** Reads until the ACK/DONE of {@code mySeq}; true if a dump part was marked interrupted. */
    private boolean receive(int mySeq, List<Reply> replies, String operation, IntFunction<String> hint) {
        boolean interrupted = false;
        while (true) {
            long n = Sockets.recv(fd.raw(), recvBuf, recvBuf.byteSize(), Sockets.MSG_PEEK | Sockets.MSG_TRUNC);
            if (n == -Errno.EINTR) continue;
            if (n < 0) throw new SyscallException(operation + ": recv(netlink)", (int) -n);
            if (n > recvBuf.byteSize()) {
                // Rare (a very large link dump): the old buffer stays in the arena until close.
                recvBuf = arena.allocate(Math.max(n, recvBuf.byteSize() * 2), 8);
                continue;
            }
            n = Sockets.recv(fd.raw(), recvBuf, recvBuf.byteSize(), 0);
            if (n == -Errno.EINTR) continue;
            if (n < 0) throw new SyscallException(operation + ": recv(netlink)", (int) -n);
            Batch batch = parse(recvBuf.asSlice(0, n), mySeq, replies, operation, hint);
            interrupted |= batch.interrupted();
            if (batch.done()) return interrupted;
        }
    }

    /** What one datagram said about request {@code mySeq}: whether it ended the answer, and whether a dump part was interrupted. */
    record Batch(boolean done, boolean interrupted) {}

    /**
     * Parses one datagram of replies to request {@code mySeq}, adding its messages to {@code replies}.
     * A message cut short ends the datagram, as the kernel never sends one.
     *
     * @throws SyscallException for an NLMSG_ERROR or NLMSG_DONE carrying an error, with the kernel's text
     * @throws FormatException  for an NLMSG_ERROR too short to hold its error code
     */
    static Batch parse(MemorySegment datagram, int mySeq, List<Reply> replies, String operation, IntFunction<String> hint) {
        boolean interrupted = false;
        long at = 0, n = datagram.byteSize();
        while (at + NLMSG_HDRLEN <= n) {
            int len = datagram.get(U32, at + HDR_LEN);
            int type = Short.toUnsignedInt(datagram.get(U16, at + HDR_TYPE));
            int flags = Short.toUnsignedInt(datagram.get(U16, at + HDR_FLAGS));
            int msgSeq = datagram.get(U32, at + HDR_SEQ);
            if (len < NLMSG_HDRLEN || len > n - at) break;
            MemorySegment body = datagram.asSlice(at + NLMSG_HDRLEN, len - NLMSG_HDRLEN);
            at += align4(len);
            if (msgSeq != mySeq) continue; // a late reply to an earlier request that failed half-way
            if ((flags & NLM_F_DUMP_INTR) != 0) interrupted = true;
            switch (type) {
                case NLMSG_NOOP -> { }
                case NLMSG_ERROR -> {
                    if (body.byteSize() < 4) {
                        throw new FormatException(operation + ": the kernel's NLMSG_ERROR at offset " + (at - align4(len))
                                + " is " + body.byteSize() + " bytes, too short for its error code");
                    }
                    int error = body.get(U32, 0);
                    if (error == 0) return new Batch(true, interrupted);
                    long tlvs = body.byteSize();
                    if ((flags & NLM_F_CAPPED) != 0) tlvs = 4 + NLMSG_HDRLEN;
                    else if (body.byteSize() >= 4 + NLMSG_HDRLEN) tlvs = 4 + align4(body.get(U32, 4 + HDR_LEN));
                    throw failure(operation, -error, body, tlvs, flags, hint);
                }
                case NLMSG_DONE -> {
                    int error = body.byteSize() >= 4 ? body.get(U32, 0) : 0;
                    if (error < 0) throw failure(operation, -error, body, 4, flags, hint);
                    return new Batch(true, interrupted);
                }
                case NLMSG_OVERRUN -> throw new SyscallException(operation, Errno.ENOSPC,
                        "the netlink socket's receive buffer overran");
                default -> replies.add(new Reply(type, flags, copy(body)));
            }
        }
        return new Batch(false, interrupted);
    }

    private static MemorySegment copy(MemorySegment body) {
        return MemorySegment.ofArray(body.toArray(U8));
    }

    private static SyscallException failure(String operation, int errno, MemorySegment body, long tlvStart,
                                            int flags, IntFunction<String> hint) {
        String kernelSays = null;
        if ((flags & NLM_F_ACK_TLVS) != 0 && tlvStart >= 0 && tlvStart < body.byteSize()) {
            Attributes tlv = Attributes.parse(body.asSlice(tlvStart));
            kernelSays = tlv.string(NLMSGERR_ATTR_MSG);
            if (kernelSays == null && tlv.has(NLMSGERR_ATTR_MISS_TYPE)) {
                kernelSays = "missing attribute " + tlv.u32(NLMSGERR_ATTR_MISS_TYPE, 0);
            }
        }
        String fix = hint == null ? null : hint.apply(errno);
        String detail = kernelSays == null || kernelSays.isEmpty() ? fix
                : "kernel says \"" + kernelSays + "\"" + (fix == null ? "" : "; " + fix);
        return new SyscallException(operation, errno, detail);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            fd.close();
            arena.close();
        } finally {
            lock.unlock();
        }
    }
}
