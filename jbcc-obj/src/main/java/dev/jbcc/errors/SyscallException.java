package dev.jbcc.errors;

import java.util.ServiceLoader;

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
            sb.append(": ").append(Refusals.EXPLAINER.explainRefusal());
        return sb.toString();
    }

    /** The failing operation, e.g. "BPF_MAP_CREATE" or "perf_event_open". */
    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }

    /** The explainer jbcc-core provides, or the plain advice when it is not there. */
    private static final class Refusals {
        static final RefusalExplainer EXPLAINER = ServiceLoader.load(RefusalExplainer.class).findFirst()
                .orElse(() -> "run as root, or grant CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN");
    }
}
