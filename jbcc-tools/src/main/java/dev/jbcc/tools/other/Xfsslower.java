package dev.jbcc.tools.other;

import picocli.CommandLine.Command;

/** {@code jbcc xfsslower}: XFS reads, writes, opens and fsyncs slower than a threshold. */
@Command(name = "xfsslower", mixinStandardHelpOptions = true,
        description = {"Trace XFS reads, writes, opens and fsyncs slower than a threshold."},
        footer = {"", "examples:",
                "    jbcc xfsslower                 # operations slower than 10 ms (the default)",
                "    jbcc xfsslower 1               # operations slower than 1 ms",
                "    jbcc xfsslower -j 1            # ... as comma-separated values",
                "    jbcc xfsslower 0               # every operation (verbose)",
                "    jbcc xfsslower -p 185          # PID 185's operations only",
                "    jbcc xfsslower --json 0        # one JSON object per operation",
                "",
                "XFS has no tracepoints on its file operations: this needs kprobes, or fentry where xfs is",
                "built into the kernel (a module's functions are not in the kernel's BTF that fentry looks in)."})
public final class Xfsslower extends FileSystemSlower {
    @Override
    FileSystemOps ops() {
        return FileSystemOps.XFS;
    }
}
