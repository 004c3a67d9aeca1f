package dev.jbcc.tools.cpu;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Map;

/**
 * The options offcputime, offwaketime and wakeuptime share (bcc's): how many stacks to keep, the
 * shortest and longest block to count, and how long to trace. Their C reads MIN_US, MAX_US and
 * STACK_STORAGE_SIZE.
 */
final class BlockOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec tool;

    @Option(names = "--stack-storage-size", paramLabel = "STACK_STORAGE_SIZE",
            description = "The number of unique stack traces that can be stored and displayed (default ${DEFAULT-VALUE}).")
    int stackStorageSize = 1024;

    @Option(names = {"-m", "--min-block-time"}, paramLabel = "MIN_BLOCK_TIME",
            description = "Only blocks of at least this many microseconds (default ${DEFAULT-VALUE}).")
    long minBlock = 1;

    @Option(names = {"-M", "--max-block-time"}, paramLabel = "MAX_BLOCK_TIME",
            description = "Only blocks of at most this many microseconds (default: no limit).")
    Long maxBlock;

    @Parameters(index = "0", arity = "0..1", paramLabel = "duration", description = "Duration of trace, in seconds.")
    Integer duration;

    /** The defines for the tool's C, after checking the values (a usage error for a bad one). */
    void define(Map<String, Object> defines) {
        if (stackStorageSize <= 0) throw usage("--stack-storage-size must be positive, not " + stackStorageSize);
        if (minBlock < 0 || (maxBlock != null && maxBlock < minBlock)) throw usage("need 0 <= MIN_BLOCK_TIME <= MAX_BLOCK_TIME");
        if (duration != null && duration <= 0) throw usage("duration must be positive, not " + duration);
        defines.put("MIN_US", minBlock + "ULL");
        defines.put("MAX_US", maxBlock == null ? "0xffffffffffffffffULL" : maxBlock + "ULL");
        defines.put("STACK_STORAGE_SIZE", stackStorageSize);
    }

    /** How long to trace: the duration given, else until stopped. */
    Duration duration() {
        return duration == null ? Duration.ofDays(365_000) : Duration.ofSeconds(duration);
    }

    /** bcc's "... Hit Ctrl-C to end." or " for N secs." after what a tool traces. */
    String until() {
        return duration == null ? "... Hit Ctrl-C to end." : " for " + duration + " secs.";
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(tool.commandLine(), message);
    }
}
