package dev.jbcc.tools.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.CTarget;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceTest {
    static CTarget target;

    @BeforeAll
    static void compile() throws Exception {
        target = CTarget.shared();
    }

    @Test
    void formatsTheArgumentsOfEachCall() throws Exception {
        String tag = "t" + UUID.randomUUID().toString().substring(0, 8);
        try (CTarget.Waiting child = target.start(3, 100, tag);
             ToolRun run = Runs.started("trace", "-p", String.valueOf(child.pid()),
                     target.path() + ":jbcc_work \"us=%d tag=%s hex=%x\", arg1, arg2, arg1")) {
            assertEquals(String.format("%-7s %-7s %-15s %-16s %s", "PID", "TID", "COMM", "FUNC", "-"), run.lines().getFirst());
            child.go();
            for (int i = 0; i < 3 && run.lines().size() < 4; i++) run.awaitLine(l -> l.contains(tag), Runs.EVENT);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> events = run.lines().subList(1, run.lines().size());
            assertEquals(3, events.size(), run.output());
            for (String line : events) {
                List<String> c = Runs.columns(line, 5);
                assertEquals(child.pid(), Long.parseLong(c.get(0)), line);
                assertEquals(child.pid(), Long.parseLong(c.get(1)), line);
                assertEquals("jbcc_target", c.get(2));
                assertEquals("jbcc_work", c.get(3));
                assertEquals("us=100 tag=" + tag + " hex=64", c.get(4));
            }
        }
    }

    @Test
    void returnProbeWithAPredicate() throws Exception {
        try (CTarget.Waiting child = target.start(2, 0, "abc");
             ToolRun run = Runs.started("trace", "-T", "-p", String.valueOf(child.pid()),
                     "r:" + target.path() + ":jbcc_work (retval == 3) \"ret %d\", retval",
                     "r:" + target.path() + ":jbcc_idle (retval == 1) \"never\"")) {
            child.go();
            run.awaitLine(l -> l.endsWith("ret 3"), Runs.EVENT);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> events = run.lines().subList(1, run.lines().size());
            assertEquals(2, events.size(), "jbcc_idle returned 6, which the predicate leaves out:\n" + run.output());
            for (String line : events) {
                assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d +" + child.pid() + " +" + child.pid() + " +jbcc_target +jbcc_work +ret 3"), line);
            }
        }
    }

    @Test
    void tracepointFieldsInJsonUntilMaxEvents() throws Exception {
        try (CTarget.Waiting child = target.start(5, 10, "m");
             ToolRun run = Runs.started("trace", "--json", "-t", "-u", "-M", "2", "-p", String.valueOf(child.pid()),
                     "t:syscalls:sys_exit_clock_nanosleep \"ret=%d\", args->ret")) {
            child.go();
            assertEquals(0, run.await(Runs.READY), "ends by itself after 2 events: " + run.errors());
            assertEquals(2, run.lines().size(), run.output());
            JsonNode e = Runs.json(run.lines().getFirst());
            assertEquals(child.pid(), e.get("pid").asLong());
            assertEquals("sys_exit_clock_nanosleep", e.get("func").asText());
            assertEquals("ret=0", e.get("msg").asText());
            double when = Double.parseDouble(e.get("time").asText());
            assertTrue(Math.abs(when - System.currentTimeMillis() / 1000.0) < 60, "UNIX time (-t -u): " + e);
        }
    }

    @Test
    void usdtProbeArguments() throws Exception {
        String tag = "u" + UUID.randomUUID().toString().substring(0, 8);
        try (CTarget.Waiting child = target.start(2, 7, tag);
             ToolRun run = Runs.started("trace", "-p", String.valueOf(child.pid()), "u:" + target.path() + ":work \"%d %s\", arg1, arg2")) {
            child.go();
            run.awaitLine(l -> l.endsWith("7 " + tag), Runs.EVENT);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals(2, run.lines().stream().filter(l -> l.matches(child.pid() + " +" + child.pid() + " +jbcc_target +jbcc:work +7 " + tag)).count(), run.output());
        }
    }

    @Test
    void aFormatWithoutItsArgumentsIsAUsageError() throws Exception {
        try (ToolRun run = ToolRun.start("trace", "t:syscalls:sys_enter_getpid \"%d %s\", args->__syscall_nr")) {
            assertEquals(2, run.await(Runs.READY));
            assertEquals("jbcc: the format of 't:syscalls:sys_enter_getpid \"%d %s\", args->__syscall_nr' has 2 conversions for 1 arguments (usage: jbcc trace --help)",
                    run.errors().strip());
        }
    }

    @Test
    @Tag("kprobes")
    void kernelFunctionWithASignature() throws Exception {
        try (CTarget.Waiting child = target.start(2, 100, "k");
             ToolRun run = Runs.started("trace", "-p", String.valueOf(child.pid()), "p::do_nanosleep(void *t, int mode) \"mode=%d\", mode")) {
            child.go();
            run.awaitLine(l -> l.contains("mode="), Runs.EVENT);
            assertEquals(0, run.stop(Runs.READY), run.errors());
            assertEquals(2, run.lines().stream().filter(l -> l.contains(" do_nanosleep ") && l.matches(".*mode=\\d+")).count(), run.output());
        }
    }
}
