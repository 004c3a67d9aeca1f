package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.TempBpfFs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;

import static dev.jbcc.link.TracingPrograms.get;
import static dev.jbcc.link.TracingPrograms.openat;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Tracepoints, raw tracepoints, tp_btf and iterators on the real kernel, fired by this test's
 * own syscalls and child processes, and auto-attach by section name.
 */
@ExtendWith(FdLeakCheck.class)
class TracingLinksTest {
    private static final int OPENS = 17;

    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = TracingPrograms.compile("tracing.bpf.c");
    }

    /** A collection counting this thread's events (target_pid/target_tid set to the calling thread). */
    static Collection load() {
        return Collection.load(TracingPrograms.forThisThread(spec));
    }

    @Test
    void tracepointCountsExactlyThisThreadsOpenatCallsAndStopsAfterClose() {
        try (Collection c = load()) {
            try (TracepointLink link = TracepointLink.attach(c.program("count_openat"), "syscalls", "sys_enter_openat")) {
                openat(1); // classes and code paths warm, so nothing else of ours calls openat below
                long before = get(c, "openat_calls");
                assertTrue(before >= 1, "the warm-up open was counted: " + before);
                openat(OPENS);
                assertEquals(OPENS, get(c, "openat_calls") - before);
                LinkInfo info = link.rawLink().info();
                assertEquals(LinkType.PERF_EVENT, info.type(), "a 6.18 kernel attaches through a perf_event link");
                assertEquals(c.program("count_openat").id(), info.programId());
                assertTrue(info.id() > 0);
            }
            long afterClose = get(c, "openat_calls");
            openat(OPENS);
            assertEquals(afterClose, get(c, "openat_calls"), "nothing counts once the link is closed");
        }
    }

    @Test
    void tracepointErrorsNameTheMissingTracepointAndTheWrongProgramType() {
        try (Collection c = load()) {
            var e = assertThrows(NotFoundException.class,
                    () -> TracepointLink.attach(c.program("count_openat"), "syscalls", "sys_enter_no_such_call"));
            assertTrue(e.getMessage().contains("syscalls:sys_enter_no_such_call"), e.getMessage());
            var category = assertThrows(NotFoundException.class,
                    () -> TracepointLink.attach(c.program("count_openat"), "no_such_category", "x"));
            assertTrue(category.getMessage().contains("no tracepoint category 'no_such_category'"), category.getMessage());
            var type = assertThrows(IllegalArgumentException.class,
                    () -> TracepointLink.attach(c.program("count_raw_openat"), "syscalls", "sys_enter_openat"));
            assertTrue(type.getMessage().contains("RawTracepointLink"), type.getMessage());
        }
    }

    @Test
    void rawTracepointSeesTheSyscallNumberOfEachOpenat() {
        try (Collection c = load()) {
            try (RawTracepointLink link = RawTracepointLink.attach(c.program("count_raw_openat"), "sys_enter")) {
                openat(1);
                long before = get(c, "raw_openat_calls");
                openat(OPENS);
                assertEquals(OPENS, get(c, "raw_openat_calls") - before);
                assertEquals(LinkType.RAW_TRACEPOINT, link.rawLink().info().type());
            }
            long afterClose = get(c, "raw_openat_calls");
            openat(OPENS);
            assertEquals(afterClose, get(c, "raw_openat_calls"));
            var missing = assertThrows(NotFoundException.class,
                    () -> RawTracepointLink.attach(c.program("count_raw_openat"), "no_such_tracepoint"));
            assertTrue(missing.getMessage().contains("no_such_tracepoint"), missing.getMessage());
        }
    }

    @Test
    void tpBtfSeesTheForkOfEachProcessThisJvmStarts() throws Exception {
        try (Collection c = load()) {
            try (TracingLink link = TracingLink.attach(c.program("count_fork"))) {
                assertEquals("sched_process_fork", link.target());
                assertEquals(LinkType.RAW_TRACEPOINT, link.rawLink().info().type(), "tp_btf links are raw tracepoint links");
                long before = get(c, "forks");
                Process p = new ProcessBuilder("true").start();
                assertEquals(0, p.waitFor());
                assertEquals(1, get(c, "forks") - before, "one fork per started process");
                assertEquals(p.pid(), get(c, "last_child"), "the forked child is the process Java reports");
            }
            long afterClose = get(c, "forks");
            Process p = new ProcessBuilder("true").start();
            assertEquals(0, p.waitFor());
            assertEquals(afterClose, get(c, "forks"), "nothing counts once the link is closed");
        }
    }

    @Test
    void taskIteratorListsThisJvmsMainThread() {
        int pid = TracingPrograms.pid();
        try (Collection c = load(); IterLink tasks = IterLink.attach(c.program("list_tasks"))) {
            assertEquals("task", tasks.kind());
            String text = tasks.readText();
            List<String> lines = text.lines().toList();
            assertTrue(lines.size() > 10, "a running system has more than 10 tasks: " + lines.size());
            assertTrue(lines.contains(pid + " " + pid + " java"), "the main thread of pid " + pid + " is listed");
            int tid = TracingPrograms.tid();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(pid + " " + tid + " ")),
                    "the thread running this test (tid " + tid + ") is listed");
            // Each open() is a fresh walk.
            try (Iter again = tasks.open()) {
                assertTrue(again.read().contains(pid + " " + pid + " java"));
            }
            // Only this process (6.1+): every line is one of our threads.
            try (IterLink ours = IterLink.attach(c.program("list_tasks"), IterOptions.ofProcess(pid))) {
                List<String> own = ours.readText().lines().toList();
                assertFalse(own.isEmpty());
                assertTrue(own.stream().allMatch(l -> l.startsWith(pid + " ")), own.toString());
            }
        }
    }

    @Test
    void linksPinAndOutliveTheirFd() throws Exception {
        try (TempBpfFs fs = new TempBpfFs(); Collection c = load()) {
            Path pin = fs.path().resolve("openat_link");
            int linkId;
            try (TracepointLink link = TracepointLink.attach(c.program("count_openat"), "syscalls", "sys_enter_openat")) {
                link.pin(pin);
                linkId = link.rawLink().info().id();
            }
            // Closed here, but the pin keeps the program attached.
            openat(1);
            long before = get(c, "openat_calls");
            openat(OPENS);
            assertEquals(OPENS, get(c, "openat_calls") - before, "the pinned link still runs the program");
            try (RawLink reopened = RawLink.openPinned(pin)) {
                assertEquals(linkId, reopened.info().id());
                reopened.unpin();
            }
            long afterUnpin = get(c, "openat_calls");
            openat(OPENS);
            assertEquals(afterUnpin, get(c, "openat_calls"), "unpinned and closed: detached");
            assertThrows(dev.jbcc.errors.SyscallException.class, () -> Bpf.linkGetFdById(linkId).close(), "the link is gone");
        }
    }

    @Test
    void autoAttachBySectionNameAttachesEveryProgramAndClosesThemAll() throws Exception {
        int pid = TracingPrograms.pid();
        try (Collection c = load()) {
            List<Link> links = Links.attachAll(c);
            try {
                assertEquals(4, links.size());
                assertInstanceOf(TracepointLink.class, links.stream().filter(l -> l instanceof TracepointLink).findFirst().orElseThrow());
                assertEquals(1, links.stream().filter(l -> l instanceof RawTracepointLink).count());
                assertEquals(1, links.stream().filter(l -> l instanceof TracingLink).count());
                IterLink iter = (IterLink) links.stream().filter(l -> l instanceof IterLink).findFirst().orElseThrow();
                openat(1);
                long tp = get(c, "openat_calls"), raw = get(c, "raw_openat_calls");
                openat(OPENS);
                assertEquals(OPENS, get(c, "openat_calls") - tp);
                assertEquals(OPENS, get(c, "raw_openat_calls") - raw);
                Process p = new ProcessBuilder("true").start();
                assertEquals(0, p.waitFor());
                assertEquals(p.pid(), get(c, "last_child"));
                assertTrue(iter.readText().contains(pid + " " + pid + " java"));
            } finally {
                links.forEach(Link::close);
            }
            long tp = get(c, "openat_calls"), raw = get(c, "raw_openat_calls");
            openat(OPENS);
            assertEquals(tp, get(c, "openat_calls"));
            assertEquals(raw, get(c, "raw_openat_calls"));
        }
    }
}
