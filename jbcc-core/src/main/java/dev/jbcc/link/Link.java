package dev.jbcc.link;

import java.nio.file.Path;

/**
 * A program attached to a hook. Closing the link detaches the program (unless the link is
 * pinned, in which case the pin keeps it attached). One small type per attach kind; the set is
 * closed so that callers can switch over it.
 */
public sealed interface Link extends AutoCloseable
        permits RawLink, BpfLinkBacked, XdpLink, TcLink, SocketFilter, UprobeLink, UsdtLink,
                TracepointLink, CgroupLink, PerfEventLink,
                KprobeLink {
    /**
     * Pins the link on a bpf file system, so it outlives this process.
     * @throws dev.jbcc.errors.PinException {@link dev.jbcc.errors.PinException.Reason#NOT_PINNABLE NOT_PINNABLE}
     *         for every kind alike when there is no single bpf_link to pin (attached through netlink,
     *         BPF_PROG_ATTACH or PERF_EVENT_IOC_SET_BPF, a socket filter, one perf event per CPU), the
     *         message saying how to attach to be able to pin; another reason when the path will not
     *         do (no bpf file system there, a pin there already, no permission)
     */
    void pin(Path path);

    /** Removes the pin, if any. */
    void unpin();

    /** Detaches the program. Idempotent. */
    @Override
    void close();
}
