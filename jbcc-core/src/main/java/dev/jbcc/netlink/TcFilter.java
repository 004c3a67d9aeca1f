package dev.jbcc.netlink;

/**
 * A classifier (filter) on a device, as the kernel lists it.
 *
 * @param ifindex        the device
 * @param parent         the qdisc class it hangs on, e.g. {@link TcHandle#INGRESS}
 * @param kind           the classifier, e.g. "bpf"
 * @param priority       its priority (lower runs first)
 * @param protocol       the ethertype it matches, host order ({@link TcHandle#ETH_P_ALL} for all)
 * @param handle         its handle within the priority
 * @param chain          the filter chain (0 unless chains are used)
 * @param bpfName        for "bpf": the name given at attach time, else null
 * @param bpfProgramId   for "bpf": the program's id, else 0
 * @param directAction   for "bpf": whether the program's return value is the action
 */
public record TcFilter(int ifindex, int parent, String kind, int priority, int protocol, int handle, int chain,
                       String bpfName, int bpfProgramId, boolean directAction) {
    @Override
    public String toString() {
        return "TcFilter[" + kind + " parent " + TcHandle.format(parent) + " prio " + priority + " handle 0x"
                + Integer.toHexString(handle) + (bpfName != null ? " " + bpfName : "")
                + (bpfProgramId != 0 ? " id " + bpfProgramId : "") + (directAction ? " direct-action" : "") + "]";
    }
}
