package dev.jbcc.tools.jvm;

import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Map;

/** {@code jbcc jvm threads}: bcc's javathreads (uthreads -l java). */
@Command(name = "threads", mixinStandardHelpOptions = true,
        description = {"Trace Java threads as they start and stop, with their Java name, Java id and native id."},
        footer = {"", "examples:",
                "    jbcc jvm threads -p 1234        # threads of JVM 1234",
                "    jbcc jvm threads 1234           # the same, as bcc's javathreads takes it",
                "    jbcc jvm threads                # threads of every JVM",
                "    jbcc jvm threads --json -p 1234 # one JSON object per thread start or stop",
                "    jbcc jvm threads --jfr t.jfr 1234  # also into a JFR file, written on stop",
                "",
                "--jfr records jbcc.ThreadStart and jbcc.ThreadEnd events; read them with",
                "    jfr print --events jbcc.ThreadStart t.jfr"})
public final class Threads extends JvmPidTool {
    static final Columns COLUMNS = Columns.of("%-8.3f %-7d %-8d %-8d %-6s %s", "TIME", "PID", "JAVA-ID", "NATIVE-ID", "TYPE", "NAME");

    @Mixin
    JfrOutput jfr = new JfrOutput();

    @Override
    protected void run(Session s) {
        try (JfrOutput.Output recording = jfr.start(List.of(JfrOutput.ThreadStart.class, JfrOutput.ThreadEnd.class))) {
            traceEvents(s, "threads.bpf.c", Map.of(),
                    Map.of(HotSpotProbe.THREAD_START, "thread_start", HotSpotProbe.THREAD_STOP, "thread_stop"),
                    "thread events", COLUMNS, t -> { }, t -> {
                        boolean start = t.getLong("start") != 0;
                        s.row(COLUMNS, s.elapsedSeconds(), t.getLong("pid"), t.getLong("java_id"), t.getLong("native_id"),
                                start ? "start" : "stop", t.getString("name"));
                        if (recording != null) record(start ? new JfrOutput.ThreadStart() : new JfrOutput.ThreadEnd(), t);
                    });
        }
    }

    private static void record(JfrOutput.JavaThread e, Value t) {
        e.pid = (int) t.getLong("pid");
        e.javaName = t.getString("name");
        e.javaThreadId = t.getLong("java_id");
        e.nativeThreadId = t.getLong("native_id");
        e.daemon = t.getLong("daemon") != 0;
        e.commit();
    }
}
