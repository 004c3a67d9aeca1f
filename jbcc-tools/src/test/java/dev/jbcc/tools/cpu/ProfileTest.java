package dev.jbcc.tools.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** profile of this JVM while a thread of the test's spins. */
@org.junit.jupiter.api.Tag("vm")
class ProfileTest {
    @Test
    void foldedStacksOfTheSpinningThreadAndAFlameGraph() throws Exception {
        String pid = String.valueOf(ProcessHandle.current().pid());
        Path html = Files.createTempFile("jbcc-profile", ".html");
        try (Workers w = Workers.spinners("prof", 1)) {
            try (ToolRun run = Runs.started("profile", "-f", "-F", "199", "-p", pid, "--flamegraph", html.toString(), "2")) {
                w.go();
                assertEquals(0, run.await(Runs.READY), run.errors());
                List<String> lines = run.lines().stream().filter(l -> l.startsWith(w.name() + ";") || l.startsWith(w.name() + " ")).toList();
                assertFalse(lines.isEmpty(), "no stacks of " + w.name() + ":\n" + run.output());
                long samples = 0;
                for (String l : lines) {
                    assertTrue(l.matches("\\S.* \\d+"), l);
                    samples += Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
                }
                // ~2 s at 199 Hz of a thread that wants a whole CPU, on a machine shared with others
                assertTrue(samples >= 20 && samples <= 2 * 199 * 2, samples + " samples:\n" + run.output());
                // every line is a thread of this JVM; the folded order puts bigger counts last
                String graph = Files.readString(html);
                assertTrue(graph.startsWith("<!DOCTYPE html>") && graph.contains("<svg") && graph.contains(w.name()), graph.length() + " chars");
            }
        } finally {
            Files.deleteIfExists(html);
        }
    }

    @Test
    void jsonStacksAndKernelOnly() throws Exception {
        String pid = String.valueOf(ProcessHandle.current().pid());
        try (Workers w = Workers.spinners("profj", 1)) {
            long tid = w.tids().getFirst();
            try (ToolRun run = Runs.started("profile", "--json", "-K", "-L", String.valueOf(tid), "-F", "99", "1")) {
                w.go();
                assertEquals(0, run.await(Runs.READY), run.errors());
                List<JsonNode> stacks = run.lines().stream().map(Runs::json).toList();
                assertFalse(stacks.isEmpty(), run.output());
                for (JsonNode st : stacks) {
                    assertEquals(w.name(), st.get("comm").asText(), st.toString());
                    assertEquals(Long.parseLong(pid), st.get("pid").asLong());
                    assertTrue(st.get("samples").asLong() >= 1);
                    assertTrue(st.has("kernel_stack") && !st.has("user_stack"), st.toString());
                }
            }
        }
    }
}
