package dev.jbcc.tools;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The network tools' address, state and port-list helpers. */
class InetTest {
    private static String v6(String text) throws Exception {
        return Inet.address(Inet.AF_INET6, InetAddress.getByName(text).getAddress());
    }

    @Test
    void addressesAreWrittenAsInetNtopDoes() throws Exception {
        assertEquals("127.0.0.1", Inet.address(Inet.AF_INET, new byte[]{127, 0, 0, 1, 9, 9, 9, 9}));
        assertEquals("::1", v6("::1"));
        assertEquals("::", v6("::"));
        assertEquals("fe80::1:0:0:2", v6("fe80:0:0:0:1:0:0:2"));
        assertEquals("2001:db8::1:0:0:1", v6("2001:db8:0:0:1:0:0:1"));
        assertEquals("1234:ab12:2040:5020:2299:0:5:0", v6("1234:ab12:2040:5020:2299:0:5:0"));
        byte[] mapped = new byte[16];
        mapped[10] = mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        assertEquals("::ffff:127.0.0.1", Inet.address(Inet.AF_INET6, mapped));
    }

    @Test
    void portListsBecomeACTest() {
        assertEquals("1", Inet.portTest("dport", null));
        assertEquals("(dport == 80 || dport == 81)", Inet.portTest("dport", "80,81"));
        var e = assertThrows(IllegalArgumentException.class, () -> Inet.portTest("dport", "80,http"));
        assertEquals("'http' in 80,http is not a port (0..65535)", e.getMessage());
    }

    @Test
    void tcpStatesHaveBccsNames() {
        assertEquals("ESTABLISHED", Inet.tcpState(1));
        assertEquals("NEW_SYN_RECV", Inet.tcpState(12));
        assertEquals("?", Inet.tcpState(99));
    }
}
