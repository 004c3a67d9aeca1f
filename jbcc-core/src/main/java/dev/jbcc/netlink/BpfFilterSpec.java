package dev.jbcc.netlink;

import java.util.Objects;

/**
 * A "bpf" classifier to add: what {@code tc filter add ... bpf fd N name NAME da} sends.
 *
 * @param programFd    a loaded BPF_PROG_TYPE_SCHED_CLS program
 * @param name         the name shown in listings (TCA_BPF_NAME)
 * @param priority     0 lets the kernel choose one
 * @param handle       0 lets the kernel choose one
 * @param protocol     ethertype to match, host order; {@link TcHandle#ETH_P_ALL} for every packet
 * @param directAction the program's return value is the verdict (TC_ACT_OK, TC_ACT_SHOT, ...)
 * @param classId      a class id for non-direct-action use (TCA_BPF_CLASSID), 0 for none
 */
public record BpfFilterSpec(int programFd, String name, int priority, int handle, int protocol,
                            boolean directAction, int classId) {
    public BpfFilterSpec {
        Objects.requireNonNull(name, "name");
        if (priority < 0 || priority > 0xFFFF) throw new IllegalArgumentException("priority must be 0..65535: " + priority);
        if (protocol < 0 || protocol > 0xFFFF) throw new IllegalArgumentException("protocol must be 0..65535: " + protocol);
    }

    /** A direct-action filter for every protocol, priority and handle chosen by the kernel. */
    public static BpfFilterSpec directAction(int programFd, String name) {
        return new BpfFilterSpec(programFd, name, 0, 0, TcHandle.ETH_P_ALL, true, 0);
    }

    public BpfFilterSpec withPriority(int priority) {
        return new BpfFilterSpec(programFd, name, priority, handle, protocol, directAction, classId);
    }

    public BpfFilterSpec withHandle(int handle) {
        return new BpfFilterSpec(programFd, name, priority, handle, protocol, directAction, classId);
    }

    public BpfFilterSpec withProtocol(int protocol) {
        return new BpfFilterSpec(programFd, name, priority, handle, protocol, directAction, classId);
    }

    public BpfFilterSpec withClassId(int classId) {
        return new BpfFilterSpec(programFd, name, priority, handle, protocol, directAction, classId);
    }
}
