package dev.jbcc.tools.other;

import picocli.CommandLine.Command;

/** {@code jbcc ext4dist}: ext4 operation latency as a histogram per operation. */
@Command(name = "ext4dist", mixinStandardHelpOptions = true,
        description = {"Summarize ext4 read, write, open and fsync latency as a histogram per operation."},
        footer = {"", "examples:",
                "    jbcc ext4dist                  # the histograms on Ctrl-C",
                "    jbcc ext4dist -p 181           # PID 181's operations only",
                "    jbcc ext4dist 1 10             # every second, 10 times",
                "    jbcc ext4dist -m 5             # every 5 seconds, in milliseconds",
                "    jbcc ext4dist --json 5         # the histograms as JSON every 5 seconds",
                "",
                "ext4 has no tracepoints on its file operations: this needs kprobes or fentry."})
public final class Ext4dist extends FileSystemDist {
    @Override
    FileSystemOps ops() {
        return FileSystemOps.EXT4;
    }
}
