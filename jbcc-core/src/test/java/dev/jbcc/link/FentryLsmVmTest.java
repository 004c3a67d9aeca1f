package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import dev.jbcc.testing.RequiresBpfLsm;
import dev.jbcc.testing.RequiresFentry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.jbcc.link.TracingPrograms.get;
import static dev.jbcc.link.TracingPrograms.openat;
import static org.junit.jupiter.api.Assertions.*;

/** fentry/fexit and LSM programs on this thread's opens (the VM harness: the host refuses trampolines). */
@ExtendWith(FdLeakCheck.class)
class FentryLsmVmTest {
    private static final int OPENS = 9;

    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = TracingPrograms.compile("fentry.bpf.c");
    }

    static void assertCounts(Collection c, String counter) {
        openat(1);
        long before = get(c, counter);
        openat(OPENS);
        assertEquals(OPENS, get(c, counter) - before, counter);
    }

    static void assertStopped(Collection c, String counter) {
        long before = get(c, counter);
        openat(OPENS);
        assertEquals(before, get(c, counter), counter + " after close");
    }

    /** Loads only the named programs: the LSM one needs the bpf LSM, which a kernel may lack while allowing fentry. */
    static Collection load(String... programs) {
        CollectionSpec s = TracingPrograms.forThisThread(spec);
        var keep = new java.util.LinkedHashMap<String, dev.jbcc.spec.ProgramSpec>();
        for (String name : programs) keep.put(name, s.program(name));
        return Collection.load(new CollectionSpec(s.maps(), keep, s.btf(), s.variables(), s.externs(), s.byteOrder()));
    }

    @RequiresFentry
    @Test
    void fentryAndFexitSeeEveryOpenAndItsResult() {
        try (Collection c = load("on_openat2_fentry", "on_openat2_fexit")) {
            try (TracingLink in = TracingLink.attach(c.program("on_openat2_fentry"));
                 Link out = Links.attach(c.program("on_openat2_fexit"))) {
                assertEquals("do_sys_openat2", in.target());
                assertEquals(LinkType.TRACING, in.rawLink().info().type());
                assertInstanceOf(TracingLink.class, out);
                assertCounts(c, "fentry_calls");
                assertCounts(c, "fexit_calls");
                assertCounts(c, "fexit_nonnegative");
            }
            assertStopped(c, "fentry_calls");
            assertStopped(c, "fexit_calls");
        }
    }

    @RequiresBpfLsm
    @Test
    void lsmFileOpenSeesEveryOpen() {
        try (Collection c = load("on_file_open")) {
            try (LsmLink link = LsmLink.attach(c.program("on_file_open"))) {
                assertEquals("file_open", link.hook());
                assertCounts(c, "lsm_file_opens");
            }
            assertStopped(c, "lsm_file_opens");
        }
    }
}
