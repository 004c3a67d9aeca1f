package dev.jbcc.bcc;

import dev.jbcc.TestRun;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** bcc's helpers.h functions that the dialect provides: bpf_log2l and the socket filter packet loads. */
@ExtendWith(FdLeakCheck.class)
class BccHelpersTest {
    /** bcc's log2 histogram slot: 1 + floor(log2(v)), with 0 and 1 both in slot 1. */
    private static long slot(long v) {
        return v == 0 ? 1 : 64 - Long.numberOfLeadingZeros(v);
    }

    @Test
    void bpfLog2lGivesBccsHistogramSlots() {
        long[] inputs = {0, 1, 2, 3, 1023, 1024, (1L << 32) + 5, -1L};
        try (BPF b = BPF.builder().text("helpers.c", BccTestSupport.resource("helpers.c")).build()) {
            ArrayTable in = b.get("inputs");
            for (int i = 0; i < inputs.length; i++) in.put(i, inputs[i]);
            b.loadFunc("log2_slots", BPF.SOCKET_FILTER).program().testRun(TestRun.packet(new byte[64]));
            ArrayTable slots = b.get("slots");
            for (int i = 0; i < inputs.length; i++) {
                assertEquals(slot(inputs[i]), slots.get(i).value(), "bpf_log2l(" + Long.toUnsignedString(inputs[i]) + ")");
            }
        }
    }

    @Test
    void loadByteHalfAndWordReadThePacketBigEndian() {
        byte[] packet = new byte[64];
        // A test run gives a socket filter the packet past its 14-byte Ethernet header, as a
        // socket sees it (offsets count from skb->data).
        ByteBuffer.wrap(packet).putInt(14, 0x8A_B1_C2_D3);
        try (BPF b = BPF.builder().text("helpers.c", BccTestSupport.resource("helpers.c")).build()) {
            b.loadFunc("packet_loads", BPF.SOCKET_FILTER).program().testRun(TestRun.packet(packet));
            ArrayTable loaded = b.get("loaded");
            assertEquals(0x8AL, loaded.get(0).value());
            assertEquals(0x8AB1L, loaded.get(1).value());
            assertEquals(0x8AB1C2D3L, loaded.get(2).value());
        }
    }
}
