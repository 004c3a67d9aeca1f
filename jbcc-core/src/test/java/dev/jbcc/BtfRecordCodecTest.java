package dev.jbcc;

import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** Records decoded with the layout of a struct in the program's BTF. */
@ExtendWith(FdLeakCheck.class)
class BtfRecordCodecTest {
    public record Ports(short dport, short sport) {}

    /** Members in another order than the C struct, one left out, one reached through an anonymous union. */
    public record Event(long timestamp, int pid, byte[] comm, Ports ports, byte kind) {}

    public record WrongSize(int timestamp) {}

    public record Missing(int nosuch) {}

    @Test
    void decodesWhatTheProgramStoredByMemberName() {
        CollectionSpec spec = CollectionTest.compile("btf_struct.c");
        MapSpec events = spec.map("events");
        Codec<Event> codec = Codec.ofRecord(Event.class, spec.btf(), events.btfValueType());
        assertEquals(events.valueSize(), codec.size(), "the size of the BTF struct");
        try (Collection c = Collection.load(spec)) {
            c.program("record_event").testRun(TestRun.packet(new byte[64]));
            Event e = c.map("events").as(Codec.INT, codec).get(1);
            assertEquals(3, e.kind());
            assertEquals(0x1122334455667788L, e.timestamp());
            assertEquals(16, e.comm().length, "array length from BTF, no @Length needed");
            assertEquals("jbcc-test", new String(e.comm(), 0, 9, StandardCharsets.US_ASCII));
            assertEquals(4242, e.pid());
            assertEquals(new Ports((short) 8080, (short) 80), e.ports());

            // Round trip from Java: what Java writes, the same codec reads back.
            var copy = new Event(1, 2, new byte[16], new Ports((short) 3, (short) 4), (byte) 5);
            c.map("events").as(Codec.INT, codec).put(2, copy);
            Event back = c.map("events").as(Codec.INT, codec).get(2);
            assertEquals(copy.timestamp(), back.timestamp());
            assertEquals(copy.ports(), back.ports());
        }
    }

    @Test
    void mismatchesNameTheMember() {
        CollectionSpec spec = CollectionTest.compile("btf_struct.c");
        int value = spec.map("events").btfValueType();
        var size = assertThrows(IllegalArgumentException.class, () -> Codec.ofRecord(WrongSize.class, spec.btf(), value));
        assertTrue(size.getMessage().contains("struct event.timestamp is 8 bytes"), size.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> Codec.ofRecord(Missing.class, spec.btf(), value));
        assertTrue(missing.getMessage().contains("struct event has no member nosuch"), missing.getMessage());
    }
}
