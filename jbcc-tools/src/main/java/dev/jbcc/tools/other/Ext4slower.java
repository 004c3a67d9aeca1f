package dev.jbcc.tools.other;

import picocli.CommandLine.Command;

/** {@code jbcc ext4slower}: ext4 reads, writes, opens and fsyncs slower than a threshold. */
@Command(name = "ext4slower", mixinStandardHelpOptions = true,
        description = {"Trace ext4 reads, writes, opens and fsyncs slower than a threshold."},
        footer = {"", "examples:",
                "    jbcc ext4slower                # operations slower than 10 ms (the default)",
                "    jbcc ext4slower 1              # operations slower than 1 ms",
                "    jbcc ext4slower -j 1           # ... as comma-separated values",
                "    jbcc ext4slower 0              # every operation (verbose)",
                "    jbcc ext4slower -p 185         # PID 185's operations only",
                "    jbcc ext4slower --json 0       # one JSON object per operation",
                "",
                "ext4 has no tracepoints on its file operations: this needs kprobes or fentry."})
public final class Ext4slower extends FileSystemSlower {
    @Override
    FileSystemOps ops() {
        return FileSystemOps.EXT4;
    }
}
