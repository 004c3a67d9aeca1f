package dev.jbcc.tools.other;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;

/** {@code jbcc btrfsslower}: btrfs reads, writes, opens and fsyncs slower than a threshold. */
@Command(name = "btrfsslower", mixinStandardHelpOptions = true,
        description = {"Trace btrfs reads, writes, opens and fsyncs slower than a threshold."},
        footer = {"", "examples:",
                "    jbcc btrfsslower               # operations slower than 10 ms (the default)",
                "    jbcc btrfsslower 1             # operations slower than 1 ms",
                "    jbcc btrfsslower -j 1          # ... as comma-separated values",
                "    jbcc btrfsslower 0             # every operation (verbose)",
                "    jbcc btrfsslower -p 185        # PID 185's operations only",
                "    jbcc btrfsslower -d 10         # for 10 seconds only",
                "    jbcc btrfsslower --json 0      # one JSON object per operation",
                "",
                "btrfs has no tracepoints on its file operations: this needs kprobes, or fentry where btrfs is",
                "built into the kernel (a module's functions are not in the kernel's BTF that fentry looks in)."})
public final class Btrfsslower extends FileSystemSlower {
    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", description = "Total duration of the trace, in seconds.")
    Integer durationSeconds;

    @Override
    Duration duration() {
        if (durationSeconds == null) return null;
        if (durationSeconds <= 0) throw usage("duration must be positive, not " + durationSeconds);
        return Duration.ofSeconds(durationSeconds);
    }

    @Override
    FileSystemOps ops() {
        return FileSystemOps.BTRFS;
    }
}
