package dev.jbcc.tools.process;

import dev.jbcc.bcc.BPF;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Counters;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;

import java.time.Duration;
import java.util.Map;

/** {@code jbcc pidpersec}: new processes (forks) per second. */
@Command(name = "pidpersec", mixinStandardHelpOptions = true,
        description = {"Count new processes (forks, threads included) per second."},
        footer = {"", "examples:",
                "    jbcc pidpersec                 # one line per second: HH:MM:SS: PIDs/sec: N",
                "    jbcc pidpersec --json          # one JSON object per second"})
public final class Pidpersec extends Tool {
    @Override
    protected void run(Session s) {
        Columns columns = Columns.of("%s: PIDs/sec: %d", "TIME", "PIDs/sec");
        Hook hook = s.choose(Hook.tracepoint("sched:sched_process_fork"));
        try (BPF b = s.load(Pidpersec.class, "pidpersec.bpf.c", hook, Map.of())) {
            Counters forks = new Counters(b.get("forks"), 1);
            s.ready();
            s.note("Tracing... Ctrl-C to end.");
            s.everyInterval(Duration.ofSeconds(1), 0, () -> s.row(columns, Session.clock(), forks.growth()[0]));
        }
    }
}
