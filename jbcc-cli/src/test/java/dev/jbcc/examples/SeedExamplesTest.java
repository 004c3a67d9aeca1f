package dev.jbcc.examples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The seed document's five programs as the repository's Java examples, each run as a user runs it. */
class SeedExamplesTest {
    private static final Duration ATTACH = Duration.ofMinutes(3); // a cold clang compile under TCG is slow

    /** The seed's text, unchanged, from shared/acceptance/seed-programs beside the repository. */
    static Path seedProgram(String name) {
        for (Path dir = ExampleProcess.examplesDirectory().getParent(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared/acceptance/seed-programs").resolve(name);
            if (Files.isRegularFile(candidate)) return candidate;
        }
        return fail("seed program " + name + " is not in shared/acceptance/seed-programs beside the repository");
    }

    @Test
    void traceClonePrintsALinePerClone() throws Exception {
        for (Path program : new Path[] {null, seedProgram("trace_clone.c")}) {
            String[] args = program == null ? new String[] {"20"} : new String[] {"20", program.toString()};
            try (ExampleProcess example = ExampleProcess.start("TraceClone.java", args)) {
                example.awaitLine("Tracing clone()", ATTACH);
                // bash forks its first command with fork(), which glibc makes a clone(2).
                Process p = new ProcessBuilder("/bin/bash", "-c", "/bin/true; /bin/true").start();
                long pid = p.pid();
                p.waitFor();
                String line = example.awaitLine(l -> l.contains("-" + pid + " ") && l.matches(".*bpf_trace_printk: -?\\d+$"),
                        Duration.ofSeconds(30));
                assertTrue(line.contains("bash-" + pid), line);
            }
        }
    }
}
