package dev.jbcc.tools;

import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.features.Features;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kit: hook choice on the running kernel, columns, the registry. */
@org.junit.jupiter.api.Tag("vm")
class KitTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private Session session(boolean verbose) {
        ToolOptions o = new ToolOptions();
        o.verbose = verbose;
        return new Session("kit", new PrintWriter(out, true), new PrintWriter(err, true), o, new Stop(), () -> { });
    }

    @Test
    void aMissingHookFallsBackAndVerboseSaysWhy() {
        Hook kprobe = Hook.kprobe("vfs_read");
        Hook tp = Hook.tracepoint("syscalls:sys_enter_read");
        Hook chosen = session(true).choose(kprobe, tp);
        if (Features.haveKprobes()) {
            assertEquals(kprobe, chosen);
            assertEquals("kit: using kprobe vfs_read\n", err.toString());
        } else {
            assertEquals(tp, chosen);
            assertEquals("kit: using tracepoint syscalls:sys_enter_read (kprobe: kprobes are not in this kernel (CONFIG_KPROBES))\n",
                    err.toString());
        }
    }

    @Test
    void noHookAtAllIsOneLineNamingWhatIsMissing() {
        var e = assertThrows(UnsupportedFeatureException.class,
                () -> session(false).choose(Hook.tracepoint("nosuch:event"), Hook.kprobe("jbcc_no_such_function")));
        assertTrue(e.getMessage().contains("tracepoint nosuch:event is not in this kernel"), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
        assertEquals("", err.toString(), "not verbose: nothing said");
    }

    @Test
    @Tag("kprobes")
    void kprobesAreChosenWhereTheKernelHasThem() {
        assertEquals("HOOK_KPROBE", session(false).choose(Hook.kprobe("vfs_read"), Hook.tracepoint("syscalls:sys_enter_read")).define());
    }

    @Test
    void headerFollowsTheRowFormat() {
        Columns c = Columns.of("%-16s %-7d %3d %8.2f %s", "PCOMM", "PID", "RET", "LAT(ms)", "ARGS").prepend("%-9s", "TIME");
        assertEquals("TIME     PCOMM            PID     RET  LAT(ms) ARGS", c.header());
        assertEquals("12:00:00 sh               42        0     1.50 a b", c.row("12:00:00", "sh", 42, 0, 1.5, "a b"));
        assertEquals(java.util.List.of("time", "pcomm", "pid", "ret", "lat_ms", "args"), c.keys());
    }

    @Test
    void everyToolIsListedWithASummaryAndHasExamplesInItsHelp() {
        StringWriter list = new StringWriter();
        Tools.list(new PrintWriter(list));
        for (Tools.Entry e : Tools.all()) {
            assertTrue(list.toString().contains("  " + String.format("%-16s", e.name()) + " " + e.summary()), e.name());
            assertTrue(e.summary().endsWith("."), "a whole sentence: " + e.summary());
            String help = Tools.commandLine(e, e.create()).getUsageMessage();
            assertTrue(help.contains("examples:") && help.contains("--json"), e.name() + ":\n" + help);
        }
    }
}
