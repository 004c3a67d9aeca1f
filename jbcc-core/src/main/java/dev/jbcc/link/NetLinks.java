package dev.jbcc.link;

import dev.jbcc.Program;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;
import dev.jbcc.spec.ProgramType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks and look-ups shared by the network link types. */
final class NetLinks {
    private NetLinks() {}

    /** The device named {@code name} in the calling thread's network namespace. */
    static NetDevice device(String name) {
        try (RtNetlink rtnl = RtNetlink.open()) {
            return rtnl.device(name);
        }
    }

    /** The calling thread's network namespace: the inode of its nsfs file (4026531840 for the initial one). */
    static long currentNetns() {
        try {
            return (Long) Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat /proc/thread-self/ns/net", e);
        }
    }

    static void requireType(Program program, ProgramType wanted, String what, String section) {
        if (program.type() != wanted) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + " program, but " + what + " takes " + wanted + " programs (" + section + ")");
        }
    }
}
