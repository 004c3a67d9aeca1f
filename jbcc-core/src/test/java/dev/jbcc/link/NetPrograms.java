package dev.jbcc.link;

import dev.jbcc.BpfMap;
import dev.jbcc.Collection;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.testing.TestNetwork;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The packet programs of resources/bpf/net/drop_icmp.c, compiled once, and checks the network tests share. */
final class NetPrograms {
    private NetPrograms() {}

    static final int IPPROTO_ICMP = 1;

    private static CollectionSpec spec;

    static synchronized CollectionSpec spec() {
        if (spec == null) {
            try (InputStream in = NetPrograms.class.getResourceAsStream("/bpf/net/drop_icmp.c")) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                spec = ObjectReader.read(ClangCompiler.create().compile(Source.of("drop_icmp.c", text), List.of()).elf());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return spec;
    }

    static Collection load() {
        return Collection.load(spec());
    }

    /** dropcnt[IPPROTO_ICMP], 0 while the key is absent. */
    static long icmpDrops(Collection c) {
        BpfMap map = c.map("dropcnt");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocateFrom(ValueLayout.JAVA_INT, IPPROTO_ICMP);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            return map.lookup(key, value) ? Integer.toUnsignedLong(value.get(ValueLayout.JAVA_INT, 0)) : 0;
        }
    }

    /**
     * Other traffic passes: a TCP connection from the host to a server inside the namespace
     * carries a byte.
     */
    static void assertTcpWorks(TestNetwork net) throws IOException {
        try (ServerSocket server = net.netns().call(
                () -> new ServerSocket(0, 4, InetAddress.getByName(net.nsAddress())))) {
            server.setSoTimeout(5000);
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(net.nsAddress(), server.getLocalPort()), 5000);
                client.getOutputStream().write(42);
                client.getOutputStream().flush();
                try (Socket accepted = server.accept()) {
                    accepted.setSoTimeout(5000);
                    assertEquals(42, accepted.getInputStream().read(), "the byte sent over TCP arrived");
                }
            }
        }
    }

    /**
     * Whether the running kernel has tcx, asked of it: a tcx link of tc_pass on the ingress of the
     * test network's device, closed at once.
     */
    static boolean haveTcx(TestNetwork net, Collection c) {
        try {
            net.netns().call(() -> TcxLink.attach(c.program("tc_pass"), net.nsDevice(), TcDirection.INGRESS)).close();
            return true;
        } catch (UnsupportedFeatureException e) {
            return false;
        }
    }
}
