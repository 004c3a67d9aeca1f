package dev.jbcc.errors;

/**
 * Pinning a BPF object (map, program, link) on a bpf file system, or opening a pinned one,
 * failed. The message is one line: where, why, and the fix; {@link #reason()} tells the cause to
 * code and {@link #errno()} the kernel's errno (0 when no system call failed).
 */
public final class PinException extends BpfException {
    /** Why a pin failed. */
    public enum Reason {
        /** The attachment has no single bpf_link to pin (attached through netlink, BPF_PROG_ATTACH, a perf ioctl, ...). */
        NOT_PINNABLE,
        /** No bpf file system is mounted, neither where the path points nor at /sys/fs/bpf. */
        NO_BPFFS,
        /** The path is not on a bpf file system. */
        NOT_ON_BPFFS,
        /** Something is pinned (or a file exists) at the path already. */
        EXISTS,
        /** Nothing is pinned at the path, or its directory does not exist. */
        NOT_FOUND,
        /** This process may not create or open files there. */
        PERMISSION,
        /** Another errno: see {@link #errno()}. */
        OTHER
    }

    private final Reason reason;
    private final String path;
    private final int errno;

    /**
     * @param path  the pin's path, or null when the object cannot be pinned at all
     * @param errno the kernel's errno, 0 if no system call failed
     */
    public PinException(Reason reason, String path, int errno, String message) {
        super(message);
        this.reason = reason;
        this.path = path;
        this.errno = errno;
    }

    public Reason reason() {
        return reason;
    }

    /** The pin's path, or null when the object cannot be pinned at all. */
    public String path() {
        return path;
    }

    /** The kernel's errno, 0 if no system call failed. */
    public int errno() {
        return errno;
    }
}
