package dev.jbcc.tools.cpu;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad options of the CPU tools: exit status 2 and one line naming the problem, before anything is loaded. */
class CpuUsageTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "runqlat -P -L                  | cannot be used together",
            "runqlat 0                      | interval must be positive",
            "cpudist -P -L                  | cannot be used together",
            "runqslower -p 1 -t 2           | mutually exclusive",
            "profile -U -K                  | mutually exclusive",
            "profile -p 0                   | PID must be positive",
            "offcputime -m 10 -M 5          | MIN_BLOCK_TIME",
            "offwaketime -p 1 -u            | mutually exclusive",
            "wakeuptime --stack-storage-size 0 | --stack-storage-size must be positive",
            "hardirqs -C -d                 | cannot be used together",
            "softirqs -c 4096               | no CPU 4096",
            "runqlen 1 0                    | count must be positive",
            "llcstat -c 0                   | SAMPLE_PERIOD must be positive"})
    void oneLineAndStatusTwo(String command, String expected) throws Exception {
        List<String> words = List.of(command.trim().split("\\s+"));
        ToolRun run = ToolRun.start(words.getFirst(), words.subList(1, words.size()).toArray(String[]::new));
        assertEquals(2, run.await(Runs.READY), command + ": " + run.errors() + run.output());
        List<String> lines = run.errors().lines().toList();
        assertEquals(1, lines.size(), run.errors());
        assertTrue(lines.getFirst().startsWith("jbcc: ") && lines.getFirst().contains(expected), lines.getFirst());
    }
}
