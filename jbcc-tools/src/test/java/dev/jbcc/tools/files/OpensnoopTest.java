package dev.jbcc.tools.files;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class OpensnoopTest {
    @Test
    void jsonHasOneObjectPerOpenOfThisProcess(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) throws Exception {
        java.nio.file.Path missing = temp.resolve("missing-" + java.util.UUID.randomUUID());
        long self = ProcessHandle.current().pid();
        try (dev.jbcc.tools.ToolRun run = dev.jbcc.tools.Runs.started("opensnoop", "--json", "-x", "-p", Long.toString(self))) {
            try {
                java.nio.file.Files.newInputStream(missing).close();
            } catch (java.nio.file.NoSuchFileException expected) {
                // ENOENT: what -x shows
            }
            String line = run.awaitLine(l -> l.contains(missing.toString()), dev.jbcc.tools.Runs.EVENT).orElseThrow(
                    () -> new AssertionError(run.output() + run.errors()));
            var e = dev.jbcc.tools.Runs.json(line);
            assertEquals(self, e.get("pid").asLong());
            assertEquals(-1, e.get("fd").asInt());
            assertEquals(2, e.get("err").asInt());
            assertEquals(missing.toString(), e.get("path").asText());
        }
    }

    /** jbcc's main() parses the usual options without picocli: the same values as picocli, or null to defer to it. */
    @Test
    void theSimpleParserAgreesWithPicocliOrDefersToIt() {
        List<List<String>> accepted = List.of(List.of(), List.of("-d", "1"), List.of("--duration=2.5", "-x"),
                List.of("-p", "42", "-U", "--name", "cat"), List.of("--pid=7", "--failed", "--print-uid", "-n", "a b"));
        for (List<String> args : accepted) {
            Opensnoop simple = Opensnoop.parseSimple(args.toArray(String[]::new));
            assertNotNull(simple, args.toString());
            Opensnoop picocli = new Opensnoop();
            new CommandLine(picocli).parseArgs(args.toArray(String[]::new));
            assertEquals(picocli.pid, simple.pid, args.toString());
            assertEquals(picocli.seconds, simple.seconds, args.toString());
            assertEquals(picocli.failedOnly, simple.failedOnly, args.toString());
            assertEquals(picocli.name, simple.name, args.toString());
            assertEquals(picocli.printUid, simple.printUid, args.toString());
        }
        List<List<String>> deferred = List.of(List.of("--help"), List.of("-h"), List.of("-V"), List.of("-p", "-5"),
                List.of("-d", "0"), List.of("-d"), List.of("-p", "x"), List.of("-xU"), List.of("-d", "1", "-d", "2"),
                List.of("--failed=true"), List.of("extra"), List.of("-n", "-x"), List.of("--json"), List.of("-v"));
        for (List<String> args : deferred) {
            assertNull(Opensnoop.parseSimple(args.toArray(String[]::new)), args.toString());
        }
    }
}
