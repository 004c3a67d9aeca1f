package dev.jbcc.internal.sys;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * jbcc-obj's {@link SyscallException} cannot ask the kernel why it said EPERM; jbcc-core's
 * {@link PrivilegeRefusals} service answers for it, from this thread's capabilities.
 */
class PrivilegeRefusalsTest {
    @Test
    void anEpermWithoutDetailCarriesThisThreadsReason() {
        assertEquals("BPF_MAP_CREATE: " + Errno.describe(Errno.EPERM) + ": " + Privileges.explainRefusal(),
                new SyscallException("BPF_MAP_CREATE", Errno.EPERM).getMessage());
        assertEquals("BPF_PROG_LOAD: " + Errno.describe(Errno.EACCES) + ": " + Privileges.explainRefusal(),
                new SyscallException("BPF_PROG_LOAD", Errno.EACCES).getMessage());
    }
}
