package dev.jbcc.cli;

import dev.jbcc.link.TcLink;
import dev.jbcc.link.XdpLink;
import dev.jbcc.netlink.NetDevice;
import dev.jbcc.netlink.RtNetlink;
import dev.jbcc.netlink.TcFilter;
import dev.jbcc.trace.TracePipe;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code jbcc cleanup}: what killed jbcc processes left attached through netlink, and their tracing instances, removed. */
@Command(name = "cleanup", description = {
        "Remove the TC filters and XDP programs that jbcc processes killed without closing them (kill -9) attached through"
                + " netlink to this network namespace's devices, and the tracing instances (/sys/kernel/tracing/instances/jbcc-*)"
                + " they left.",
        "What jbcc attaches this way is marked with the owning process's pid; what belongs to processes still running stays."
                + " XDP and TC programs attached the default way (a bpf_link, tcx) go with their process and need no cleanup."})
final class CleanupCommand implements Runnable {

    @CommandLine.Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        var out = spec.commandLine().getOut();
        int removed = 0;
        List<Path> instances = TracePipe.removeLeftoverInstances();
        for (Path instance : instances) out.println("removed tracing instance " + instance);
        List<NetDevice> devices;
        try (RtNetlink rtnl = RtNetlink.open()) {
            devices = rtnl.devices();
        }
        List<XdpLink.Leftover> xdp = XdpLink.removeLeftovers();
        for (XdpLink.Leftover x : xdp) {
            out.println("removed XDP program " + x.programId() + " from " + x.device() + " (" + x.mode().name().toLowerCase(Locale.ROOT) + ")");
        }
        for (NetDevice device : devices) {
            for (TcFilter f : TcLink.removeLeftovers(device.name())) {
                out.println("removed " + f.bpfName() + " from " + device.name() + " "
                        + (f.parent() == dev.jbcc.link.TcDirection.INGRESS.clsactParent() ? "ingress" : "egress"));
                removed++;
            }
        }
        List<String> counts = new ArrayList<>();
        if (removed > 0) counts.add(removed + " filter" + (removed == 1 ? "" : "s"));
        if (!xdp.isEmpty()) counts.add(xdp.size() + " XDP program" + (xdp.size() == 1 ? "" : "s"));
        if (!instances.isEmpty()) counts.add(instances.size() + " tracing instance" + (instances.size() == 1 ? "" : "s"));
        out.println(counts.isEmpty() ? "nothing to clean up" : "removed " + String.join(", ", counts));
        out.flush();
    }
}
