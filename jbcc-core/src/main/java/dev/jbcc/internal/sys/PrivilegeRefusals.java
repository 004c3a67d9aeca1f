package dev.jbcc.internal.sys;

import dev.jbcc.errors.RefusalExplainer;

/** {@link Privileges#explainRefusal()} as the service {@code SyscallException} asks for an EPERM's reason. */
public final class PrivilegeRefusals implements RefusalExplainer {
    @Override
    public String explainRefusal() {
        return Privileges.explainRefusal();
    }
}
