package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Features;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.TempBpfFs;
import org.junit.jupiter.api.BeforeAll;
import dev.jbcc.testing.RequiresKprobes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.jbcc.link.TracingPrograms.get;
import static dev.jbcc.link.TracingPrograms.openat;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Kprobes on a kernel that has them (the VM harness): each mechanism fires on this thread's
 * openat calls, stops after close, and leaves no tracefs kprobe_events entry behind.
 */
@RequiresKprobes
@ExtendWith(FdLeakCheck.class)
class KprobeLinkVmTest {
    private static final int OPENS = 11;
    private static final long COOKIE = 0x5EED_0FF5E7L;

    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = TracingPrograms.compile("kprobes.bpf.c");
    }

    static Collection load() {
        return Collection.load(TracingPrograms.forThisThread(spec));
    }

    static void assertCountsOpens(Collection c, String counter) {
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

    @Test
    void pmuKprobeAndKretprobeWithACookie() {
        try (Collection c = load()) {
            var entry = KprobeOptions.symbol("do_sys_openat2").withMethod(KprobeOptions.Method.PMU).withCookie(0xC0FFEE);
            try (KprobeLink in = KprobeLink.attach(c.program("on_openat2_entry"), entry);
                 KprobeLink out = KprobeLink.attach(c.program("on_openat2_return"), entry.withCookie(0).asRetprobe())) {
                assertEquals(KprobeLink.Mechanism.PMU, in.mechanism());
                assertEquals(LinkType.PERF_EVENT, in.rawLink().info().type());
                assertCountsOpens(c, "entry_calls");
                assertEquals(0xC0FFEE, get(c, "cookie_seen"));
                assertCountsOpens(c, "return_calls");
            }
            assertStopped(c, "entry_calls");
            assertStopped(c, "return_calls");
        }
    }

    @Test
    void pmuKprobeAtAnOffsetIntoTheFunctionWithACookie() {
        try (Collection c = load()) {
            Program program = c.program("on_openat2_entry");
            var options = KprobeOptions.symbol("do_sys_openat2").withMethod(KprobeOptions.Method.PMU).withCookie(COOKIE);
            // The kernel takes only offsets at instruction boundaries (else EILSEQ): the first one
            // past the entry starts the prologue's second instruction, which every call runs.
            KprobeLink link = null;
            long offset = 0;
            var refused = new StringBuilder();
            while (link == null && ++offset < 64) {
                try {
                    link = KprobeLink.attach(program, options.withOffset(offset));
                } catch (SyscallException e) {
                    if (e.errno() != dev.jbcc.errors.Errno.EILSEQ) throw e;
                    assertTrue(e.getMessage().contains("is inside an instruction"), e.getMessage());
                    refused.append(offset).append(' ');
                }
            }
            assertNotNull(link, "no offset in 1..63 of do_sys_openat2 was accepted");
            // With ftrace (distribution kernels), a function starts with a 5-byte nop (after a 4-byte
            // endbr64 with IBT), so +1 is refused: proof that the offset reached the kernel.
            assertFalse(refused.isEmpty(), "offset " + offset + " was accepted first");
            try (KprobeLink atOffset = link) {
                String where = "kprobe do_sys_openat2+0x" + Long.toHexString(offset);
                assertTrue(atOffset.toString().contains(where), atOffset + ", refused before it: " + refused);
                assertEquals(KprobeLink.Mechanism.PMU, atOffset.mechanism());
                assertCountsOpens(c, "entry_calls");
                assertEquals(COOKIE, get(c, "cookie_seen"));
            }
            assertStopped(c, "entry_calls");
        }
    }

    @Test
    void tracefsKretprobeWithMaxActiveIsRemovedFromKprobeEventsOnClose() throws Exception {
        try (Collection c = load()) {
            var options = KprobeOptions.symbol("do_sys_openat2").asRetprobe().withMaxActive(16);
            String event;
            Path kprobeEvents = dev.jbcc.trace.Tracefs.path().resolve("kprobe_events");
            try (KprobeLink link = KprobeLink.attach(c.program("on_openat2_return"), options)) {
                assertEquals(KprobeLink.Mechanism.TRACEFS, link.mechanism(), "maxactive needs tracefs");
                event = link.tracefsEvent();
                String line = Files.readAllLines(kprobeEvents).stream().filter(l -> l.contains(event + " ")).findFirst()
                        .orElseThrow(() -> new AssertionError(event + " is not in kprobe_events"));
                assertTrue(line.startsWith("r16:"), "maxactive reached the kernel: " + line);
                assertCountsOpens(c, "return_calls");
                assertCountsOpens(c, "nonnegative_returns");
            }
            assertFalse(Files.readString(kprobeEvents).contains(event + " "), "the tracefs event is gone");
            assertStopped(c, "return_calls");
        }
    }

    @Test
    void tracefsKprobeWithAnOffsetFires() throws Exception {
        try (Collection c = load()) {
            var options = KprobeOptions.symbol("do_sys_openat2").withMethod(KprobeOptions.Method.TRACEFS);
            try (KprobeLink link = KprobeLink.attach(c.program("on_openat2_entry"), options)) {
                assertEquals(KprobeLink.Mechanism.TRACEFS, link.mechanism());
                assertCountsOpens(c, "entry_calls");
            }
            assertStopped(c, "entry_calls");
            assertFalse(Files.readString(dev.jbcc.trace.Tracefs.path().resolve("kprobe_events")).contains("jbcc_kprobes/jbcc_"
                    + ProcessHandle.current().pid() + "_"), "no event of this process is left");
        }
    }

    @Test
    void kprobeMultiByPatternCoversTheMatchingFunctions() {
        try (Collection c = load()) {
            if (!Features.haveKprobeMulti()) {
                // Debian's 6.1 is built without CONFIG_FPROBE: the error must say so and offer the way out.
                var e = assertThrows(UnsupportedFeatureException.class, () -> Links.attach(c.program("on_openat_multi")));
                assertTrue(e.getMessage().contains("CONFIG_FPROBE") && e.getMessage().contains("KprobeLink.attach"),
                        e.getMessage());
                return;
            }
            try (Link link = Links.attach(c.program("on_openat_multi"))) {
                KprobeLink multi = (KprobeLink) link;
                assertEquals(KprobeLink.Mechanism.KPROBE_MULTI, multi.mechanism());
                assertTrue(multi.functions().contains("do_sys_openat2"), multi.functions().toString());
                assertCountsOpens(c, "multi_calls");
            }
            assertStopped(c, "multi_calls");
        }
    }

    @Test
    void pinnedKprobeOutlivesItsFd() throws Exception {
        try (TempBpfFs fs = new TempBpfFs(); Collection c = load()) {
            Path pin = fs.path().resolve("kprobe");
            try (KprobeLink link = KprobeLink.attach(c.program("on_openat2_entry"), "do_sys_openat2")) {
                link.pin(pin);
            }
            assertCountsOpens(c, "entry_calls");
            try (RawLink pinned = RawLink.openPinned(pin)) {
                pinned.unpin();
            }
            assertStopped(c, "entry_calls");
        }
    }
}
