package dev.jbcc;

import dev.jbcc.internal.sys.Privileges;

/** A system call failed; names the operation and the errno, and the usual fix where one is known. */
public final class SyscallException extends BpfException {
    private final String operation;
    private final int errno;

    public SyscallException(String operation, int errno) {
        this(operation, errno, null);
    }

    public SyscallException(String operation, int errno, String detail) {
        super(message(operation, errno, detail));
        this.operation = operation;
        this.errno = errno;
    }

    private static String message(String operation, int errno, String detail) {
        var sb = new StringBuilder(operation).append(": ").append(Errno.describe(errno));
        if (detail != null) sb.append(": ").append(detail);
        else if (errno == Errno.EPERM || errno == Errno.EACCES)
            sb.append(": ").append(Privileges.explainRefusal());
        return sb.toString();
    }

    /** The failing operation, e.g. "BPF_MAP_CREATE" or "perf_event_open". */
    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }
}
