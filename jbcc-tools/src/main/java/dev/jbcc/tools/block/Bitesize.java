package dev.jbcc.tools.block;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;

import java.time.Duration;
import java.util.Map;

/** {@code jbcc bitesize}: block I/O sizes as a histogram per process name. */
@Command(name = "bitesize", mixinStandardHelpOptions = true,
        description = {"Summarize block I/O sizes as a log2 histogram of Kbytes per process name."},
        footer = {"", "examples:",
                "    jbcc bitesize                  # trace until Ctrl-C, then print a histogram per process",
                "    jbcc bitesize --json           # the histograms as JSON, one object per process"})
public final class Bitesize extends Tool {
    @Override
    protected void run(Session s) {
        Hook hook = s.choose(Hook.tracepoint("block:block_rq_issue"));
        try (BPF b = s.load(Bitesize.class, "bitesize.bpf.c", hook, Map.of())) {
            s.ready();
            s.note("Tracing block I/O... Hit Ctrl-C to end.");
            s.sleep(Duration.ofDays(365 * 100));
            if (!s.json()) s.out().println();
            s.log2Hist(b.get("dist"), Histogram.Options.defaults().withValType("Kbytes").withSection("Process Name", String::valueOf));
        }
    }
}
