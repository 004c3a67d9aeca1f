package dev.jbcc.internal.sys;

import dev.jbcc.spec.MapType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.*;

/** The leak tracker that FdLeakCheck relies on finds an unclosed fd and forgets it once closed. */
class FdTraceTest {
    @Test
    void anOpenFdIsReportedWithWhereItWasOpened() {
        FdTrace.enable();
        long mark = FdTrace.mark();
        Fd leaked;
        try (Arena arena = Arena.ofConfined()) {
            leaked = Bpf.mapCreate(new MapCreateAttr(arena).mapType(MapType.ARRAY.value()).keySize(4).valueSize(4).maxEntries(1));
        }
        try {
            var leaks = FdTrace.leakedSince(mark);
            assertEquals(1, leaks.size());
            boolean namesThisTest = false;
            for (StackTraceElement e : leaks.getFirst().where().getStackTrace())
                namesThisTest |= e.getMethodName().equals("anOpenFdIsReportedWithWhereItWasOpened");
            assertTrue(namesThisTest, "the origin stack names the code that opened the fd");
        } finally {
            leaked.close();
        }
        assertTrue(FdTrace.leakedSince(mark).isEmpty());
    }

    @Test
    void possibleCpuListsAreCounted() {
        assertEquals(1, Cpus.parseCount("0"));
        assertEquals(4, Cpus.parseCount("0-3"));
        assertEquals(6, Cpus.parseCount("0-3,8,10"));
        assertThrows(dev.jbcc.errors.FormatException.class, () -> Cpus.parseCount("0-x"));
        assertTrue(Cpus.possible() >= Runtime.getRuntime().availableProcessors());
    }
}
