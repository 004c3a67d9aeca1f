package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code jbcc bashreadline}: commands typed into every interactive bash, from readline()'s return. */
@Command(name = "bashreadline", mixinStandardHelpOptions = true,
        description = {"Print the commands entered in every running interactive bash."},
        footer = {"", "examples:",
                "    jbcc bashreadline                          # readline in /bin/bash (Debian's bash has it built in)",
                "    jbcc bashreadline -s /lib/libreadline.so   # a bash that takes readline from a shared library",
                "    jbcc bashreadline --json                   # one JSON object per command"})
public final class Bashreadline extends Tool {
    @Option(names = {"-s", "--shared"}, paramLabel = "SHARED",
            description = "The file that holds readline(): libreadline.so, or the bash binary (default /bin/bash).")
    Path shared = Path.of("/bin/bash");

    private static final Columns COLUMNS = Columns.of("%-9s %-6d %s", "TIME", "PID", "COMMAND");

    @Override
    protected void run(Session s) {
        if (!Files.isRegularFile(shared)) throw usage("no file " + shared + " (give readline's library with -s)");
        try (BPF b = s.load(Bashreadline.class, "bashreadline.bpf.c", Map.of())) {
            b.attachUretprobe(shared.toString(), "readline", "on_readline_return");
            s.verbose("uretprobe on readline in " + shared);
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                s.row(COLUMNS, Session.clock(), e.getLong("pid"), e.getString("line"));
            });
            s.header(COLUMNS);
            s.pollUntilStopped(b, null);
        }
    }
}
