package dev.jbcc.netlink;

import dev.jbcc.Collection;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.testing.TestNetwork;

/**
 * Not a test: times rtnetlink round trips (device look-up by name, a qdisc dump) and a full
 * clsact + bpf filter attach/detach cycle on a test veth, to show the control path costs.
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes dev.jbcc.netlink.NetlinkBenchmark
 */
public final class NetlinkBenchmark {
    private NetlinkBenchmark() {}

    public static void main(String[] args) {
        String tcPass = """
                #include "vmlinux.h"
                #include <bpf/bpf_helpers.h>
                SEC("tc") int pass(struct __sk_buff *skb) { return 0; }
                char LICENSE[] SEC("license") = "GPL";
                """;
        try (TestNetwork net = TestNetwork.create(); RtNetlink rtnl = RtNetlink.open(net.netns());
             Collection c = Collection.load(ObjectReader.read(ClangCompiler.create().compile(tcPass).elf()))) {
            NetDevice dev = rtnl.device(net.nsDevice());
            int fd = c.program("pass").fd();
            for (int round = 0; round < 3; round++) {
                int n = 20_000;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) rtnl.device(net.nsDevice());
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) rtnl.qdiscs(dev);
                long t2 = System.nanoTime();
                int cycles = 2_000;
                for (int i = 0; i < cycles; i++) {
                    rtnl.addClsact(dev);
                    TcFilter f = rtnl.addBpfFilter(dev, TcHandle.INGRESS, BpfFilterSpec.directAction(fd, "pass"));
                    rtnl.deleteFilter(dev, f);
                    rtnl.deleteClsact(dev);
                }
                long t3 = System.nanoTime();
                System.out.printf("device(name) %.1f us, qdiscs() %.1f us, clsact+filter add/delete cycle %.1f us%n",
                        (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n, (t3 - t2) / 1e3 / cycles);
            }
        }
    }
}
