package dev.jbcc.link;

import dev.jbcc.Program;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;
import dev.jbcc.spec.ProgramType;

/** Checks and look-ups shared by the network link types. */
final class NetLinks {
    private NetLinks() {}

    /** The device named {@code name} in the calling thread's network namespace. */
    static NetDevice device(String name) {
        try (RtNetlink rtnl = RtNetlink.open()) {
            return rtnl.device(name);
        }
    }

    static void requireType(Program program, ProgramType wanted, String what, String section) {
        if (program.type() != wanted) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + " program, but " + what + " takes " + wanted + " programs (" + section + ")");
        }
    }
}
