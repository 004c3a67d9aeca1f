package dev.jbcc.link;

import dev.jbcc.netlink.TcHandle;
import dev.jbcc.spec.AttachType;

/** Which side of a device a TC program sees: packets coming in, or going out. */
public enum TcDirection {
    INGRESS(TcHandle.INGRESS, AttachType.TCX_INGRESS),
    EGRESS(TcHandle.EGRESS, AttachType.TCX_EGRESS);

    private final int clsactParent;
    private final AttachType tcxAttachType;

    TcDirection(int clsactParent, AttachType tcxAttachType) {
        this.clsactParent = clsactParent;
        this.tcxAttachType = tcxAttachType;
    }

    /** The filter parent under the clsact qdisc (ffff:fff2 or ffff:fff3). */
    public int clsactParent() {
        return clsactParent;
    }

    /** The bpf_link attach type of the tcx hook. */
    public AttachType tcxAttachType() {
        return tcxAttachType;
    }
}
