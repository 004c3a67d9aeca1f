package dev.jbcc.errors;

/**
 * Says why the kernel refused an operation with EPERM or EACCES, for {@link SyscallException}s
 * thrown with no detail of their own. The object model makes no system call, so it cannot ask the
 * kernel itself: jbcc-core provides the implementation (capget, user namespace, lockdown) as a
 * service, found through {@link java.util.ServiceLoader}.
 */
public interface RefusalExplainer {
    /** One sentence on why the calling thread was refused, naming the fix. */
    String explainRefusal();
}
