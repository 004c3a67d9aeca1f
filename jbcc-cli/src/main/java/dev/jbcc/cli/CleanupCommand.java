package dev.jbcc.cli;

import dev.jbcc.link.TcLink;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;
import dev.jbcc.netlink.TcFilter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code jbcc cleanup}: what killed jbcc processes left attached through netlink, removed. */
@Command(name = "cleanup", description = {
        "Remove the TC filters that jbcc processes killed without closing them (kill -9) left on this network namespace's devices.",
        "Filters jbcc attaches through netlink carry the attaching process's pid; those of processes still running stay."
                + " XDP programs attached the default way (a bpf_link) go with their process and need no cleanup."})
final class CleanupCommand implements Runnable {

    @CommandLine.Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        int removed = 0;
        List<NetDevice> devices;
        try (RtNetlink rtnl = RtNetlink.open()) {
            devices = rtnl.devices();
        }
        for (NetDevice device : devices) {
            for (TcFilter f : TcLink.removeLeftovers(device.name())) {
                out.println("removed " + f.bpfName() + " from " + device.name() + " "
                        + (f.parent() == dev.jbcc.link.TcDirection.INGRESS.clsactParent() ? "ingress" : "egress"));
                removed++;
            }
        }
        out.println(removed == 0 ? "nothing to clean up" : "removed " + removed + " filter" + (removed == 1 ? "" : "s"));
        out.flush();
    }
}
