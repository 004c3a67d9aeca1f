package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.asm.Asm;
import dev.jbcc.asm.Register;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static dev.jbcc.link.TracingPrograms.get;
import static org.junit.jupiter.api.Assertions.*;

/** Auto-attach by section name: a uprobe on libc's getpid called here, and the kinds that need more input. */
@ExtendWith(FdLeakCheck.class)
class LinksTest {
    private static final int CALLS = 21;
    private static final MethodHandle GETPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getpid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));

    static CollectionSpec spec;

    @BeforeAll
    static void compile() {
        spec = TracingPrograms.compile("links.bpf.c").withVariable("target_pid", TracingPrograms.pid());
    }

    /** Calls libc's getpid() {@code n} times from this JVM. */
    static void getpid(int n) throws Throwable {
        for (int i = 0; i < n; i++) assertEquals(TracingPrograms.pid(), (int) GETPID.invokeExact());
    }

    @Test
    void uprobeSectionWithPathAndSymbolAutoAttaches() throws Throwable {
        try (Collection c = Collection.load(spec)) {
            try (Link link = Links.attach(c.program("a_on_getpid"))) {
                UprobeLink uprobe = assertInstanceOf(UprobeLink.class, link);
                assertTrue(uprobe.binary().getFileName().toString().startsWith("libc.so"), uprobe.binary().toString());
                long before = get(c, "getpid_calls");
                getpid(CALLS);
                assertEquals(CALLS, get(c, "getpid_calls") - before);
            }
            long afterClose = get(c, "getpid_calls");
            getpid(CALLS);
            assertEquals(afterClose, get(c, "getpid_calls"));
        }
    }

    @Test
    void kindsThatNeedMoreThanTheSectionNameSayWhichLinkTypeToUse() {
        try (Collection c = Collection.load(spec)) {
            assertMessage(c, "b_xdp_pass", "XdpLink");
            assertMessage(c, "c_tc_pass", "TcLink.attach");
            assertMessage(c, "d_usdt", "UsdtLink");
            assertMessage(c, "e_uprobe_without_target", "PATH:SYMBOL");
            assertMessage(c, "f_tracepoint_without_target", "tracepoint/syscalls/sys_enter_openat");
        }
    }

    private static void assertMessage(Collection c, String program, String expected) {
        var e = assertThrows(IllegalArgumentException.class, () -> Links.attach(c.program(program)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(program), e.getMessage());
    }

    @Test
    void attachAllIsAllOrNothing() throws Throwable {
        try (Collection c = Collection.load(spec)) {
            // a_on_getpid attaches first (name order), then b_xdp_pass fails: the uprobe must be gone again.
            var e = assertThrows(IllegalArgumentException.class, () -> Links.attachAll(c));
            assertTrue(e.getMessage().contains("b_xdp_pass"), e.getMessage());
            long before = get(c, "getpid_calls");
            getpid(CALLS);
            assertEquals(before, get(c, "getpid_calls"), "the links made before the failure were closed");

            List<Link> one = Links.attachAll(List.of(c.program("a_on_getpid")));
            try {
                assertEquals(1, one.size());
                getpid(CALLS);
                assertEquals(before + CALLS, get(c, "getpid_calls"));
            } finally {
                one.forEach(Link::close);
            }
        }
    }

    @Test
    void programsWithoutASectionCannotBeAutoAttached() {
        try (var p = dev.jbcc.Program.load(dev.jbcc.spec.ProgramSpec.of("bare", dev.jbcc.spec.ProgramType.KPROBE,
                dev.jbcc.asm.Instructions.of(Asm.mov64(Register.R0, 0), Asm.exit())))) {
            var e = assertThrows(IllegalArgumentException.class, () -> Links.attach(p));
            assertTrue(e.getMessage().contains("no section name"), e.getMessage());
        }
    }
}
