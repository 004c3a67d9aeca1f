package dev.jbcc.netlink;

/**
 * The XDP programs attached to a device, by mode (IFLA_XDP_*_PROG_ID); 0 where none is.
 *
 * @param genericProgramId  the program in generic (SKB) mode
 * @param driverProgramId   the program in native (driver) mode
 * @param offloadProgramId  the program offloaded to the NIC
 */
public record XdpAttachment(int genericProgramId, int driverProgramId, int offloadProgramId) {
    public static final XdpAttachment NONE = new XdpAttachment(0, 0, 0);

    /** True if any mode has a program. */
    public boolean attached() {
        return genericProgramId != 0 || driverProgramId != 0 || offloadProgramId != 0;
    }

    /** True if {@code programId} is attached in some mode. */
    public boolean has(int programId) {
        return programId != 0
                && (genericProgramId == programId || driverProgramId == programId || offloadProgramId == programId);
    }
}
