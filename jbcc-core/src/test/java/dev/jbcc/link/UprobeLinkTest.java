package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.elf.ElfFile;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.PinException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.symbols.ElfSymbols;
import dev.jbcc.symbols.KernelSymbols;
import dev.jbcc.symbols.LdSoCache;
import dev.jbcc.symbols.ResolvedAddress;
import dev.jbcc.symbols.StackTraces;
import dev.jbcc.symbols.UserSymbols;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.HostKernelOnly;
import dev.jbcc.testing.NativeBinaries.Child;
import dev.jbcc.testing.NativeBinaries;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Uprobes and uretprobes on a binary the test builds, and on libc, fired by child processes. */
@ExtendWith(FdLeakCheck.class)
class UprobeLinkTest {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final int CALLS = 25;

    static Path target;
    static CollectionSpec spec;

    @BeforeAll
    static void build() {
        target = NativeBinaries.gcc("/uprobe/target.c", "uprobe_target", "-O0", "-g");
        spec = compileBpf("/uprobe/probes.bpf.c");
    }

    /** Compiles a BPF C resource against the UAPI headers (no vmlinux.h, so no CO-RE). */
    static CollectionSpec compileBpf(String resource) {
        try (InputStream in = UprobeLinkTest.class.getResourceAsStream(resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            byte[] elf = ClangCompiler.create().compile(Source.of(resource.substring(resource.lastIndexOf('/') + 1), text),
                    List.of("-idirafter", "/usr/include/x86_64-linux-gnu")).elf();
            return ObjectReader.read(elf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Child child() {
        return Child.start(List.of(target.toString(), Integer.toString(CALLS)));
    }

    static long get(Collection c, String variable) {
        return c.variable(variable).get(U64, 0);
    }

    /** The sum jbcc_target(i) returns over i < CALLS, and of its arguments, computed here. */
    static long expectedReturnSum() {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) sum += 2L * i + 1;
        return sum;
    }

    static long expectedArgumentSum() {
        long sum = 0;
        for (int i = 0; i < CALLS; i++) sum += i;
        return sum;
    }

    @Test
    void uprobeAndUretprobeBySymbolCountCallsAndSeeArgumentsAndResults() {
        try (Collection c = Collection.load(spec); Child child = child()) {
            var entry = UprobeOptions.symbol(target.toString(), "jbcc_target").withPid(child.pid());
            try (UprobeLink in = UprobeLink.attach(c.program("on_entry"), entry);
                 UprobeLink out = UprobeLink.attach(c.program("on_return"), entry.asRetprobe())) {
                assertEquals(UprobeLink.Mechanism.PMU_LINK, in.mechanism(), "this kernel has the uprobe PMU and perf links");
                assertTrue(in.linkId() > 0);
                List<String> printed = child.run();
                assertEquals(Long.toString(expectedReturnSum()), printed.getFirst(), "the child computed what we expect");
                assertEquals(CALLS, get(c, "entry_calls"));
                assertEquals(expectedArgumentSum(), get(c, "entry_arg_sum"), "PT_REGS_PARM1 saw every argument");
                assertEquals(CALLS, get(c, "return_calls"));
                assertEquals(expectedReturnSum(), get(c, "return_sum"), "PT_REGS_RC saw every return value");

                // The captured instruction pointer symbolizes back to the probed function.
                UserSymbols symbols = UserSymbols.of(child.pid());
                ResolvedAddress ip = symbols.resolve(get(c, "last_ip"));
                assertEquals("jbcc_target", ip.symbol());
                assertEquals(0, ip.offset(), "a uprobe on a symbol fires at its first instruction");
                assertEquals(target.toString(), ip.module());

                // bpf_get_stackid(BPF_F_USER_STACK): the innermost frame is the probed function, and
                // the frame-pointer walk reaches libc's start code.
                long stackId = c.variable("user_stack_id").get(U64, 0);
                assertTrue(stackId >= 0, "bpf_get_stackid failed: " + stackId);
                List<ResolvedAddress> frames = StackTraces.read(c.map("stacks"), (int) stackId, symbols);
                assertEquals("jbcc_target", frames.getFirst().symbol(), frames.toString());
                assertTrue(frames.stream().anyMatch(f -> f.module() != null && f.module().contains("libc")),
                        "a frame in libc: " + frames);
                child.finish();
            }
        }
    }

    /** Bytes from jbcc_target's entry to the instruction after {@code push %rbp} (past endbr64 when present). */
    static long afterPush() {
        try (Arena arena = Arena.ofConfined()) {
            ElfFile elf = ElfFile.map(target, arena);
            long fileOffset = ElfSymbols.load(target).fileOffsetOf(ElfSymbols.load(target).symbol("jbcc_target").value())
                    .orElseThrow();
            // -O0 x86-64 code starts with endbr64 (f3 0f 1e fa) when CET is on, then push %rbp (0x55).
            int first = elf.data().get(ValueLayout.JAVA_BYTE, fileOffset) & 0xff;
            return first == 0xf3 ? 5 : 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void byAddressAndBySymbolPlusOffset() {
        ElfSymbols symbols = ElfSymbols.load(target);
        long address = symbols.symbol("jbcc_target").value();
        long afterPush = afterPush();
        try (Collection c = Collection.load(spec); Child child = child()) {
            try (UprobeLink byAddress = UprobeLink.attach(c.program("on_entry"),
                    UprobeOptions.address(target.toString(), address).withPid(child.pid()));
                 UprobeLink byOffset = UprobeLink.attach(c.program("count_libc"),
                         UprobeOptions.symbol(target.toString(), "jbcc_target").withSymbolOffset(afterPush)
                                 .withPid(child.pid()))) {
                assertEquals(symbols.fileOffsetOf(address).orElseThrow(), byAddress.offset());
                assertEquals(byAddress.offset() + afterPush, byOffset.offset());
                child.run();
                assertEquals(CALLS, get(c, "entry_calls"));
                assertEquals(CALLS, get(c, "libc_calls"), "the probe inside the function fired on every call");
                child.finish();
            }
        }
    }

    @Test
    void pidFilterIgnoresOtherProcessesAndCloseStopsCounting() {
        try (Collection c = Collection.load(spec); Child watched = child(); Child other = child()) {
            UprobeLink link = UprobeLink.attach(c.program("on_entry"),
                    UprobeOptions.symbol(target.toString(), "jbcc_target").withPid(watched.pid()));
            try (link) {
                other.run();
                assertEquals(0, get(c, "entry_calls"), "a process the filter excludes does not count");
                watched.run();
                assertEquals(CALLS, get(c, "entry_calls"));
            }
            link.close();
            try (Child after = child()) {
                after.run();
                after.finish();
            }
            assertEquals(CALLS, get(c, "entry_calls"), "nothing counts after close");
            watched.finish();
            other.finish();
        }
    }

    @Test
    void allProcessesWithoutPidAndEveryAttachMethod() {
        for (UprobeOptions.Method method : UprobeOptions.Method.values()) {
            try (Collection c = Collection.load(spec); Child a = child(); Child b = child()) {
                String event;
                try (UprobeLink link = UprobeLink.attach(c.program("on_entry"),
                        UprobeOptions.symbol(target.toString(), "jbcc_target").withMethod(method))) {
                    a.run();
                    b.run();
                    // Other processes may run the binary too only if another test does so concurrently: none does.
                    assertEquals(2L * CALLS, get(c, "entry_calls"), method + ": both children counted");
                    event = link.tracefsEvent();
                    switch (method) {
                        case PMU_IOCTL -> {
                            assertEquals(UprobeLink.Mechanism.PMU_IOCTL, link.mechanism());
                            assertThrows(PinException.class, () -> link.pin(Path.of("/sys/fs/bpf/x")));
                        }
                        case TRACEFS -> {
                            assertEquals(UprobeLink.Mechanism.TRACEFS_LINK, link.mechanism());
                            assertTrue(UprobeEvents.tracefsHas(event.substring(event.indexOf('/') + 1)),
                                    "uprobe_events lists " + event);
                        }
                        default -> assertEquals(UprobeLink.Mechanism.PMU_LINK, link.mechanism());
                    }
                }
                if (event != null) {
                    assertFalse(UprobeEvents.tracefsHas(event.substring(event.indexOf('/') + 1)),
                            "close removed " + event + " from uprobe_events");
                }
                a.finish();
                b.finish();
            }
        }
    }

    @Test
    void libraryByNameFromLdSoCacheAndFromTheProcessMaps() {
        Path libc = LdSoCache.system().find("c").orElseThrow();
        assertTrue(libc.getFileName().toString().startsWith("libc.so"), libc.toString());
        try (Collection c = Collection.load(spec); Child child = child()) {
            // Without a pid: ld.so.cache. With one: the library the process mapped.
            try (UprobeLink fromCache = UprobeLink.attach(c.program("count_libc"),
                    UprobeOptions.symbol("c", "getpid").withPid(child.pid()).withMethod(UprobeOptions.Method.PMU_LINK))) {
                assertTrue(Files.isSameFile(libc, fromCache.binary()));
                child.run();
                assertTrue(get(c, "libc_calls") >= CALLS, "getpid called at least " + CALLS + " times: " + get(c, "libc_calls"));
                child.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (Collection c = Collection.load(spec); Child child = child()) {
            try (UprobeLink fromMaps = UprobeLink.attach(c.program("count_libc"),
                    new UprobeOptions("libc.so.6", new UprobeOptions.Location.Symbol("getpid", 0), child.pid(), false, 0, 0,
                            UprobeOptions.Method.AUTO))) {
                assertTrue(fromMaps.binary().toString().contains("libc"), fromMaps.binary().toString());
                child.run();
                assertTrue(get(c, "libc_calls") >= CALLS);
                child.finish();
            }
        }
    }

    @Test
    @HostKernelOnly("uprobe_multi links: Linux 6.6")
    void cookiesAndUprobeMulti() {
        try (Collection c = Collection.load(spec); Child child = child()) {
            try (UprobeLink link = UprobeLink.attach(c.program("with_cookie"),
                    UprobeOptions.symbol(target.toString(), "jbcc_target").withPid(child.pid()).withCookie(1000))) {
                child.run();
                assertEquals(1000L * CALLS, get(c, "cookie_sum"));
                child.finish();
            }
        }
        try (Collection c = Collection.load(spec); Child child = child()) {
            var options = new UprobeMultiOptions(target.toString(),
                    List.of(new UprobeOptions.Location.Symbol("jbcc_target", 0),
                            new UprobeOptions.Location.Symbol("jbcc_target", afterPush())),
                    List.of(7L, 100_000L), List.of(), child.pid(), false);
            try (UprobeLink link = UprobeLink.attachMulti(c.program("multi"), options)) {
                assertEquals(UprobeLink.Mechanism.UPROBE_MULTI, link.mechanism());
                assertEquals(2, link.offsets().size());
                child.run();
                child.finish();
            }
            assertEquals(2L * CALLS, get(c, "multi_calls"), "both locations in jbcc_target, on every call");
            assertEquals((7L + 100_000L) * CALLS, get(c, "cookie_sum"), "each location's own cookie");
        }
    }

    @Test
    void pinnedLinkOutlivesItsFd() {
        Path pin = Path.of("/sys/fs/bpf/jbcc_uprobe_test_" + ProcessHandle.current().pid());
        try (Collection c = Collection.load(spec); Child child = child()) {
            UprobeLink link = UprobeLink.attach(c.program("on_entry"),
                    UprobeOptions.symbol(target.toString(), "jbcc_target").withPid(child.pid()));
            link.pin(pin);
            link.close();
            link.close();
            child.run();
            assertEquals(CALLS, get(c, "entry_calls"), "the pin keeps the probe attached after close");
            try (RawLink reopened = RawLink.openPinned(pin)) {
                reopened.unpin();
            }
            child.finish();
        }
        assertFalse(Files.exists(pin));
    }

    @Test
    void clearErrorsForUnknownLibrarySymbolAndProgramType() {
        try (Collection c = Collection.load(spec)) {
            var noLib = assertThrows(NotFoundException.class, () -> UprobeLink.attach(c.program("count_libc"),
                    UprobeOptions.symbol("jbcc_no_such_library", "f")));
            assertTrue(noLib.getMessage().contains("jbcc_no_such_library") && noLib.getMessage().contains("ld.so.cache"),
                    noLib.getMessage());
            var noSym = assertThrows(NotFoundException.class, () -> UprobeLink.attach(c.program("count_libc"),
                    UprobeOptions.symbol(target.toString(), "jbcc_targe")));
            assertTrue(noSym.getMessage().contains("'jbcc_targe'") && noSym.getMessage().contains(target.toString())
                    && noSym.getMessage().contains("jbcc_target"), "names the file and suggests the near name: " + noSym.getMessage());
            var notFile = assertThrows(NotFoundException.class, () -> UprobeLink.attach(c.program("count_libc"),
                    UprobeOptions.symbol("/no/such/binary", "main")));
            assertTrue(notFile.getMessage().contains("/no/such/binary"));
            var wrongType = assertThrows(IllegalArgumentException.class, () -> UprobeLink.attach(c.program("kernel_stack"),
                    UprobeOptions.symbol(target.toString(), "jbcc_target")));
            assertTrue(wrongType.getMessage().contains("RAW_TRACEPOINT"), wrongType.getMessage());
            var multiNeedsMulti = assertThrows(IllegalArgumentException.class, () -> UprobeLink.attachMulti(
                    c.program("count_libc"), UprobeMultiOptions.symbols(target.toString(), List.of("main"))));
            assertTrue(multiNeedsMulti.getMessage().contains("uprobe.multi"), multiNeedsMulti.getMessage());
        }
    }

    @Test
    void kernelStackFromARawTracepointSymbolizesThroughKallsyms() {
        CollectionSpec withTgid = spec.withVariable("watched_tgid", (int) ProcessHandle.current().pid());
        try (Collection c = Collection.load(withTgid);
             Fd link = Bpf.rawTracepointOpen("sys_enter", Handles.of(c.program("kernel_stack")), 0)) {
            // Any syscall from this JVM is recorded; make some.
            try {
                Files.readString(Path.of("/proc/self/stat"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long id = c.variable("kernel_stack_id").get(U64, 0);
            assertTrue(id >= 0, "no kernel stack recorded: " + id);
            List<ResolvedAddress> frames = StackTraces.read(c.map("stacks"), (int) id, KernelSymbols.shared());
            assertFalse(frames.isEmpty());
            assertTrue(frames.stream().allMatch(ResolvedAddress::isKnown), frames.toString());
            assertTrue(frames.stream().anyMatch(f -> f.symbol().equals("do_syscall_64")),
                    "a syscall's kernel stack goes through do_syscall_64: " + frames);
        }
    }
}
