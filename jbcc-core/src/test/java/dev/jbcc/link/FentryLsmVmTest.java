package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.errors.Errno;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import dev.jbcc.testing.RequiresBpfLsm;
import dev.jbcc.testing.RequiresFentry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** open(2) of the file: the fd (closed again) or -errno. */
    static int open(MemorySegment path) {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd >= 0) Libc.close(fd);
        return fd;
    }

    @RequiresFentry
    @Test
    void fmodRetOverridesTheReturnValueUntilClosed(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("guarded"), "x");
        try (Arena arena = Arena.ofConfined();
             Collection c = load("override_file_open", "after_file_open")) {
            MemorySegment path = arena.allocateFrom(file.toString());
            c.variable("target_ino").set(ValueLayout.JAVA_LONG, 0, (Long) Files.getAttribute(file, "unix:ino"));
            try (TracingLink fexit = TracingLink.attach(c.program("after_file_open"))) {
                try (TracingLink fmodRet = TracingLink.attach(c.program("override_file_open"))) {
                    assertEquals("security_file_open", fmodRet.target());
                    assertEquals(AttachType.MODIFY_RETURN, c.program("override_file_open").attachType());

                    // Returning 0 lets security_file_open run: the open succeeds and fexit sees its 0.
                    assertTrue(open(path) >= 0);
                    assertEquals(1, get(c, "fmod_ret_calls"));
                    assertEquals(1, get(c, "modify_fexit_calls"));
                    assertEquals(0, get(c, "modify_fexit_ret"));

                    // A non-zero return replaces the function's result: the open fails with it.
                    c.variable("override_ret").set(ValueLayout.JAVA_INT, 0, -Errno.EPERM);
                    assertEquals(-Errno.EPERM, open(path), "the open fails with the overriding value");
                    assertEquals(2, get(c, "fmod_ret_calls"));
                    assertEquals(2, get(c, "modify_fexit_calls"));
                    assertEquals(-Errno.EPERM, get(c, "modify_fexit_ret"), "fexit saw the overriding value");
                }
                // Closed: the override no longer applies, although override_ret still asks for it.
                assertTrue(open(path) >= 0, "open after close");
                assertEquals(2, get(c, "fmod_ret_calls"));
                assertEquals(3, get(c, "modify_fexit_calls"));
                assertEquals(0, get(c, "modify_fexit_ret"));
            }
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
