package dev.jbcc.link;

import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.BpfFs;
import dev.jbcc.internal.sys.Fd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A kernel {@code bpf_link}: an fd whose release detaches the program. Most attach kinds are a
 * bpf_link underneath; their link types wrap one of these.
 */
public final class RawLink implements Link {
    private final Fd fd;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Path pinnedAt;

    /** Takes ownership of a link fd. */
    RawLink(Fd fd) {
        this.fd = fd;
    }

    /** Opens a link pinned at {@code path}. */
    public static RawLink openPinned(Path path) {
        RawLink link = new RawLink(Bpf.objGet(path.toString(), 0));
        link.pinnedAt = path;
        return link;
    }

    public int fd() {
        return fd.raw();
    }

    Fd handle() {
        return fd;
    }

    /** BPF_OBJ_GET_INFO_BY_FD: the link's type, id and program id. */
    public LinkInfo info() {
        try (Arena arena = Arena.ofConfined()) {
            // struct bpf_link_info: u32 type, u32 id, u32 prog_id, then a per-type union we do not read.
            MemorySegment info = arena.allocate(INFO_SIZE, 8);
            Bpf.objGetInfoByFd(fd, info);
            int type = info.get(U32, 0);
            return new LinkInfo(LinkType.of(type), type, info.get(U32, 4), info.get(U32, 8));
        }
    }

    /** Bytes requested of bpf_link_info: the head and the largest union member jbcc could want, zeroed. */
    private static final long INFO_SIZE = 128;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());

    @Override
    public void pin(Path path) {
        Bpf.objPin(fd, path.toString());
        pinnedAt = path;
    }

    @Override
    public void unpin() {
        Path p = pinnedAt;
        if (p == null) return;
        BpfFs.unpin(p);
        pinnedAt = null;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) fd.close();
    }

    @Override
    public String toString() {
        return "RawLink[fd " + fd.raw() + (closed.get() ? ", closed" : "") + "]";
    }
}
