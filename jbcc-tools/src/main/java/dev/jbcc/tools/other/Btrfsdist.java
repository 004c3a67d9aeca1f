package dev.jbcc.tools.other;

import picocli.CommandLine.Command;

/** {@code jbcc btrfsdist}: btrfs operation latency as a histogram per operation. */
@Command(name = "btrfsdist", mixinStandardHelpOptions = true,
        description = {"Summarize btrfs read, write, open and fsync latency as a histogram per operation."},
        footer = {"", "examples:",
                "    jbcc btrfsdist                 # the histograms on Ctrl-C",
                "    jbcc btrfsdist -p 181          # PID 181's operations only",
                "    jbcc btrfsdist 1 10            # every second, 10 times",
                "    jbcc btrfsdist -m 5            # every 5 seconds, in milliseconds",
                "    jbcc btrfsdist --json 5        # the histograms as JSON every 5 seconds",
                "",
                "btrfs has no tracepoints on its file operations: this needs kprobes, or fentry where btrfs is",
                "built into the kernel (a module's functions are not in the kernel's BTF that fentry looks in)."})
public final class Btrfsdist extends FileSystemDist {
    @Override
    FileSystemOps ops() {
        return FileSystemOps.BTRFS;
    }
}
