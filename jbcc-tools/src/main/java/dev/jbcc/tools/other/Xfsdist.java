package dev.jbcc.tools.other;

import picocli.CommandLine.Command;

/** {@code jbcc xfsdist}: XFS operation latency as a histogram per operation. */
@Command(name = "xfsdist", mixinStandardHelpOptions = true,
        description = {"Summarize XFS read, write, open and fsync latency as a histogram per operation."},
        footer = {"", "examples:",
                "    jbcc xfsdist                   # the histograms on Ctrl-C",
                "    jbcc xfsdist -p 181            # PID 181's operations only",
                "    jbcc xfsdist 1 10              # every second, 10 times",
                "    jbcc xfsdist -m 5              # every 5 seconds, in milliseconds",
                "    jbcc xfsdist --json 5          # the histograms as JSON every 5 seconds",
                "",
                "XFS has no tracepoints on its file operations: this needs kprobes, or fentry where xfs is",
                "built into the kernel (a module's functions are not in the kernel's BTF that fentry looks in)."})
public final class Xfsdist extends FileSystemDist {
    @Override
    FileSystemOps ops() {
        return FileSystemOps.XFS;
    }
}
