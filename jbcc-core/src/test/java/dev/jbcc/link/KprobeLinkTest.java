package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Features;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.symbols.KernelSymbols;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.jbcc.link.TracingPrograms.get;
import static dev.jbcc.link.TracingPrograms.openat;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Kprobes on the kernel this runs on. Each test means something on both kinds of kernel: where
 * the kernel has kprobes it asserts that the probe fires on this thread's openat calls; where it
 * was built without CONFIG_KPROBES (the development host) it asserts the error says so and names
 * the hook that does exist for the function. The kprobe-only details (tracefs, maxactive,
 * kprobe_multi, pinning) are in {@link KprobeLinkVmTest}, run in the VM.
 */
@ExtendWith(FdLeakCheck.class)
class KprobeLinkTest {
    private static final int OPENS = 13;

    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = TracingPrograms.compile("kprobes.bpf.c");
    }

    static Collection load() {
        return Collection.load(TracingPrograms.forThisThread(spec));
    }

    @Test
    void featureProbeAgreesWithTheKernelsInterfaces() {
        boolean pmu = Files.exists(Path.of("/sys/bus/event_source/devices/kprobe/type"));
        Path tracefs = dev.jbcc.trace.Tracefs.path();
        boolean events = Files.exists(tracefs.resolve("kprobe_events"));
        assertEquals(pmu || events, Features.haveKprobes());
        if (!Features.haveKprobes()) {
            var e = assertThrows(UnsupportedFeatureException.class, Features::requireKprobes);
            assertTrue(e.getMessage().contains("CONFIG_KPROBES"), e.getMessage());
        }
    }

    @Test
    void syscallFunctionIsTheKernelsEntryPointForTheSyscall() {
        String clone = Kprobes.syscallFunction("clone");
        KernelSymbols kallsyms = KernelSymbols.shared();
        assertTrue(kallsyms.address(clone).isPresent(), clone + " is in kallsyms");
        if (kallsyms.address("__x64_sys_clone").isPresent()) assertEquals("__x64_sys_clone", clone);
        assertEquals("openat", Kprobes.syscallOf(Kprobes.syscallFunction("openat")));
        var missing = assertThrows(NotFoundException.class, () -> Kprobes.syscallFunction("no_such_syscall_jbcc"));
        assertTrue(missing.getMessage().contains("__x64_sys_no_such_syscall_jbcc"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kprobes.syscallFunction("sys_clone"));
    }

    @Test
    void kprobeOnASyscallFiresOrNamesItsTracepoint() {
        try (Collection c = load()) {
            KprobeOptions options = KprobeOptions.symbol(Kprobes.syscallFunction("openat"));
            if (Features.haveKprobes()) {
                try (KprobeLink link = KprobeLink.attach(c.program("on_openat_syscall"), options)) {
                    openat(1);
                    long before = get(c, "syscall_calls");
                    openat(OPENS);
                    assertEquals(OPENS, get(c, "syscall_calls") - before);
                }
            } else {
                var e = assertThrows(UnsupportedFeatureException.class,
                        () -> KprobeLink.attach(c.program("on_openat_syscall"), options));
                assertTrue(e.getMessage().contains("lacks CONFIG_KPROBES"), e.getMessage());
                assertTrue(e.getMessage().contains("syscalls:sys_enter_openat"), e.getMessage());
                var ret = assertThrows(UnsupportedFeatureException.class,
                        () -> KprobeLink.attach(c.program("on_openat_syscall"), options.asRetprobe()));
                assertTrue(ret.getMessage().contains("syscalls:sys_exit_openat"), ret.getMessage());
            }
        }
    }

    @Test
    void kprobeAndKretprobeOnAKernelFunctionFireOrNameFentry() {
        try (Collection c = load()) {
            if (Features.haveKprobes()) {
                try (KprobeLink entry = KprobeLink.attach(c.program("on_openat2_entry"), "do_sys_openat2");
                     KprobeLink exit = KprobeLink.attach(c.program("on_openat2_return"),
                             KprobeOptions.symbol("do_sys_openat2").asRetprobe())) {
                    openat(1);
                    long in = get(c, "entry_calls"), out = get(c, "return_calls"), ok = get(c, "nonnegative_returns");
                    openat(OPENS);
                    assertEquals(OPENS, get(c, "entry_calls") - in);
                    assertEquals(OPENS, get(c, "return_calls") - out);
                    assertEquals(OPENS, get(c, "nonnegative_returns") - ok, "every open returned an fd");
                }
            } else {
                var e = assertThrows(UnsupportedFeatureException.class,
                        () -> KprobeLink.attach(c.program("on_openat2_entry"), "do_sys_openat2"));
                assertTrue(e.getMessage().contains("lacks CONFIG_KPROBES"), e.getMessage());
                assertTrue(e.getMessage().contains("fentry/do_sys_openat2"), e.getMessage());
                var ret = assertThrows(UnsupportedFeatureException.class, () -> KprobeLink.attach(
                        c.program("on_openat2_return"), KprobeOptions.symbol("do_sys_openat2").asRetprobe()));
                assertTrue(ret.getMessage().contains("fexit/do_sys_openat2"), ret.getMessage());
            }
        }
    }

    @Test
    void aFunctionThatDoesNotExistIsNotFoundOrHasNoAlternative() {
        try (Collection c = load()) {
            if (Features.haveKprobes()) {
                var e = assertThrows(NotFoundException.class,
                        () -> KprobeLink.attach(c.program("on_openat2_entry"), "jbcc_no_such_function"));
                assertTrue(e.getMessage().contains("jbcc_no_such_function"), e.getMessage());
            } else {
                var e = assertThrows(UnsupportedFeatureException.class,
                        () -> KprobeLink.attach(c.program("on_openat2_entry"), "jbcc_no_such_function"));
                assertTrue(e.getMessage().contains("lacks CONFIG_KPROBES"), e.getMessage());
                assertTrue(e.getMessage().contains("no tracepoint or BTF function matches jbcc_no_such_function"),
                        e.getMessage());
            }
        }
    }

    @Test
    void autoAttachOfKsyscallFiresOrNamesTheTracepoint() {
        try (Collection c = load()) {
            if (Features.haveKprobes()) {
                try (Link link = Links.attach(c.program("on_openat_syscall"))) {
                    assertInstanceOf(KprobeLink.class, link);
                    openat(1);
                    long before = get(c, "syscall_calls");
                    openat(OPENS);
                    assertEquals(OPENS, get(c, "syscall_calls") - before);
                }
            } else {
                var e = assertThrows(UnsupportedFeatureException.class, () -> Links.attach(c.program("on_openat_syscall")));
                assertTrue(e.getMessage().contains("syscalls:sys_enter_openat"), e.getMessage());
            }
        }
    }

    @Test
    void kprobeMultiWorksWhereTheKernelHasItAndOtherwiseSaysWhatIsMissing() {
        try (Collection c = load()) {
            var options = KprobeMultiOptions.symbols("do_sys_openat2");
            if (Features.haveKprobeMulti()) {
                try (KprobeLink link = KprobeLink.attachMulti(c.program("on_openat_multi"), options)) {
                    assertEquals(LinkType.KPROBE_MULTI, link.rawLink().info().type());
                    openat(1);
                    long before = get(c, "multi_calls");
                    openat(OPENS);
                    assertEquals(OPENS, get(c, "multi_calls") - before);
                }
            } else {
                var e = assertThrows(UnsupportedFeatureException.class,
                        () -> KprobeLink.attachMulti(c.program("on_openat_multi"), options));
                assertTrue(e.getMessage().contains("kprobe_multi"), e.getMessage());
                assertTrue(e.getMessage().contains("5.18"), e.getMessage());
            }
            var wrongType = assertThrows(IllegalArgumentException.class,
                    () -> KprobeLink.attach(c.program("on_openat_multi"), "do_sys_openat2"));
            assertTrue(wrongType.getMessage().contains("attachMulti"), wrongType.getMessage());
        }
    }

    @Test
    void optionsRejectContradictions() {
        assertThrows(IllegalArgumentException.class, () -> KprobeOptions.symbol("f").asRetprobe().withOffset(4));
        assertThrows(IllegalArgumentException.class, () -> KprobeOptions.symbol("f").withMaxActive(8));
        assertThrows(IllegalArgumentException.class,
                () -> KprobeOptions.symbol("f").asRetprobe().withMaxActive(8).withMethod(KprobeOptions.Method.PMU));
        assertThrows(IllegalArgumentException.class, () -> KprobeOptions.symbol("mod:f"));
        assertEquals("kretprobe do_sys_openat2", KprobeOptions.symbol("do_sys_openat2").asRetprobe().describe());
        assertTrue(Kprobes.globToRegex("do_sys_open*").matcher("do_sys_openat2").matches());
        assertTrue(Kprobes.globToRegex("vfs_rea?").matcher("vfs_read").matches());
        assertFalse(Kprobes.globToRegex("do_sys_open*").matcher("x_do_sys_open").matches());
        assertFalse(Kprobes.globToRegex("a.b").matcher("axb").matches(), "dots are literal");
    }
}
