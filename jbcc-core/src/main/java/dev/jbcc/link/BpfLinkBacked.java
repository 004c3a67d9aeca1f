package dev.jbcc.link;

import java.nio.file.Path;

/**
 * The link kinds that are nothing but a kernel bpf_link with a typed face: pinning, unpinning and
 * detaching are the underlying {@link RawLink}'s, so they are written once here.
 */
sealed interface BpfLinkBacked extends Link permits IterLink, LsmLink, RawTracepointLink, TcxLink, TracingLink {
    /** The kernel link underneath. */
    RawLink rawLink();

    @Override
    default void pin(Path path) {
        rawLink().pin(path);
    }

    @Override
    default void unpin() {
        rawLink().unpin();
    }

    @Override
    default void close() {
        rawLink().close();
    }
}
