package dev.jbcc.tools.other;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.PerfEventArray;
import dev.jbcc.bcc.Value;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc ttysnoop}: the output written to a tty or pts, e.g. another user's shell. */
@Command(name = "ttysnoop", mixinStandardHelpOptions = true,
        description = {"Snoop the output written to a pts or tty device, e.g. a shell."},
        footer = {"", "examples:",
                "    jbcc ttysnoop /dev/pts/2       # what is written to /dev/pts/2",
                "    jbcc ttysnoop 2                # the same: a number is a pts",
                "    jbcc ttysnoop /dev/console     # the system console",
                "    jbcc ttysnoop -s 1024 2        # 1024 bytes per read of the written data",
                "    jbcc ttysnoop -c 2 2           # at most 2 reads of 256 bytes per write",
                "    jbcc ttysnoop --json 2         # one JSON object per piece of output",
                "",
                "tty_write has no tracepoint: this needs kprobes or fentry."})
public final class Ttysnoop extends Tool {
    static final Hook KPROBE = Hook.kprobe("tty_write");
    static final Hook FENTRY = Hook.fentry("tty_write");

    @Option(names = {"-C", "--noclear"}, description = "Don't clear the screen.")
    boolean noclear;

    @Option(names = {"-s", "--datasize"}, paramLabel = "DATASIZE", description = "Size of the transmitting buffer (default ${DEFAULT-VALUE}).")
    int datasize = 256;

    @Option(names = {"-c", "--datacount"}, paramLabel = "DATACOUNT", description = "Number of DATASIZE pieces read per write (default ${DEFAULT-VALUE}).")
    int datacount = 16;

    @Parameters(index = "0", paramLabel = "device", description = "Path to a tty device (e.g. /dev/tty0) or a pts number.")
    String device;

    @Override
    protected void run(Session s) {
        if (datasize < 1 || datasize > 32768) throw usage("--datasize must be 1..32768, not " + datasize);
        if (datacount < 1 || datacount > 64) throw usage("--datacount must be 1..64, not " + datacount);
        Path path = Path.of(device.matches("[0-9]+") ? "/dev/pts/" + device : device);
        long inode;
        try {
            inode = ((Number) Files.getAttribute(path, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw usage("no tty " + path + " (a path such as /dev/tty0, or a pts number)");
        }
        Hook hook = s.choose(KPROBE, FENTRY);
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("PTS", inode);
        defines.put("BUFSIZE", datasize);
        defines.put("DATACOUNT", datacount);
        try (BPF b = s.load(Ttysnoop.class, "ttysnoop.bpf.c", hook, defines)) {
            PerfEventArray events = b.get("events");
            events.openPerfBuffer((cpu, data, size) -> {
                Value e = events.event(data);
                byte[] buf = e.field("buf").toByteArray();
                String text = new String(Arrays.copyOf(buf, (int) Math.min(buf.length, e.getLong("count"))), StandardCharsets.UTF_8);
                if (s.json()) s.object(Map.of("data", text));
                else s.out().print(text);
            });
            if (!noclear && !s.json() && System.console() != null) s.out().print("\033[H\033[2J");
            s.ready();
            s.pollUntilStopped(b, null);
        }
    }
}
