package dev.jbcc.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.Histogram;
import dev.jbcc.bcc.KeyedTable;
import dev.jbcc.bcc.USDT;
import dev.jbcc.errors.UnsupportedFeatureException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a tool: where its output goes (columns or {@code --json}), when it stops, and what
 * every tool does the same way: loading its BPF C, choosing hooks, polling buffers, interval loops,
 * histograms. A tool gets it in {@link Tool#run(Session)}.
 */
public final class Session {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final String tool;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ToolOptions options;
    private final Stop stop;
    private final long started = System.nanoTime();
    private final Runnable onReady;
    private boolean ready;

    Session(String tool, PrintWriter out, PrintWriter err, ToolOptions options, Stop stop, Runnable onReady) {
        this.tool = tool;
        this.out = out;
        this.err = err;
        this.options = options;
        this.stop = stop;
        this.onReady = onReady;
    }

    /** The tool's name, as on the command line. */
    public String tool() {
        return tool;
    }

    /** Standard output. */
    public PrintWriter out() {
        return out;
    }

    /** Whether {@code --json} was given. */
    public boolean json() {
        return options.json;
    }

    /** Whether {@code -v}/{@code --verbose} was given. */
    public boolean verbose() {
        return options.verbose;
    }

    /** A line on standard error under {@code --verbose}: {@code tool: line}. */
    public void verbose(String line) {
        if (options.verbose) {
            err.println(tool + ": " + line);
            err.flush();
        }
    }

    /** A line on standard error, always: {@code tool: line} (a warning, or "Tracing... Hit Ctrl-C to end." in bcc's words). */
    public void note(String line) {
        err.println(line);
        err.flush();
    }

    // ---- program and hooks ----

    /**
     * The first of {@code candidates} the running kernel has; under {@code --verbose} says which,
     * and why each one before it was passed over.
     *
     * @throws UnsupportedFeatureException when none is there, naming what each needs
     */
    public Hook choose(Hook... candidates) {
        List<String> passed = new ArrayList<>();
        for (Hook h : candidates) {
            String missing = h.missing();
            if (missing == null) {
                verbose("using " + h.describe() + (passed.isEmpty() ? "" : " (" + String.join("; ", passed) + ")"));
                return h;
            }
            passed.add(h.kind() + ": " + missing);
        }
        throw new UnsupportedFeatureException("what " + tool + " traces", null, String.join("; ", passed));
    }

    /**
     * Compiles and loads the tool's C, the resource {@code resource} beside {@code owner}, with
     * {@code defines} as {@code -DNAME=value} (a null value: {@code -DNAME}). Programs named by
     * bcc's conventions attach themselves.
     */
    public BPF load(Class<?> owner, String resource, Map<String, ?> defines) {
        return load(owner, resource, "", defines);
    }

    /**
     * {@link #load(Class, String, Map)} with {@code generated} C appended to the resource: the
     * functions a multitool writes for the probes it was given.
     */
    public BPF load(Class<?> owner, String resource, String generated, Map<String, ?> defines) {
        return load(owner, resource, generated, defines, List.of());
    }

    /** {@link #load(Class, String, String, Map)} with USDT contexts, which attach their functions at load. */
    public BPF load(Class<?> owner, String resource, String generated, Map<String, ?> defines, List<USDT> usdt) {
        if (!generated.isEmpty()) verbose("generated C:\n" + generated);
        return load(resource, text(owner, resource) + generated, defines, usdt);
    }

    /** As {@link #load(Class, String, Map)} for C the tool put together itself, named {@code name}. */
    public BPF load(String name, String text, Map<String, ?> defines) {
        return load(name, text, defines, List.of());
    }

    private BPF load(String name, String text, Map<String, ?> defines, List<USDT> usdt) {
        List<String> cflags = new ArrayList<>();
        defines.forEach((k, v) -> cflags.add(v == null ? "-D" + k : "-D" + k + "=" + v));
        verbose("cflags " + cflags);
        return BPF.builder().text(name, text).cflags(cflags).usdtContexts(usdt).build();
    }

    /** {@link #load(Class, String, Map)} with the chosen hook's symbol defined too. */
    public BPF load(Class<?> owner, String resource, Hook hook, Map<String, ?> defines) {
        return load(resource, text(owner, resource), hook, defines);
    }

    /** {@link #load(String, String, Map)} with the chosen hook's symbol defined too. */
    public BPF load(String name, String text, Hook hook, Map<String, ?> defines) {
        Map<String, Object> all = new LinkedHashMap<>(defines);
        all.put(hook.define(), null);
        return load(name, text, all);
    }

    /**
     * A text resource beside {@code owner}, with each line {@code #include "NAME"} replaced by the
     * resource NAME beside {@code owner} (C the tools of a group share, e.g. files/fd_file.h).
     */
    public static String text(Class<?> owner, String resource) {
        String text;
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing beside " + owner.getName());
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return INCLUDE.matcher(text).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(text(owner, m.group(1))));
    }

    private static final java.util.regex.Pattern INCLUDE = java.util.regex.Pattern.compile("(?m)^#include \"([\\w.-]+)\"$");

    /**
     * Tracing has begun (everything is attached): in-process callers ({@link ToolRun}) may cause
     * events from here on. Tools call it right before their header, or before "Tracing…" for
     * interval tools. Idempotent.
     */
    public void ready() {
        if (ready) return;
        ready = true;
        out.flush();
        onReady.run();
    }

    // ---- time and stopping ----

    /** Whether the tool should go on: no stop was asked for, and standard output is still open. */
    public boolean running() {
        return !stop.requested() && !out.checkError();
    }

    /** Waits for {@code d}, or less if a stop is asked for; false if it was. */
    public boolean sleep(Duration d) {
        out.flush();
        return stop.sleep(d) && !out.checkError();
    }

    /**
     * Polls {@code b}'s perf and ring buffers until a stop is asked for or {@code duration} (null:
     * none) has passed since the tool started; the callbacks print.
     */
    public void pollUntilStopped(BPF b, Duration duration) {
        long deadline = duration == null ? Long.MAX_VALUE : started + duration.toNanos();
        // a perf buffer poll waits for events; a ring buffer consume does not, so the loop sleeps
        boolean waits = b.tables().values().stream().anyMatch(t -> t instanceof dev.jbcc.bcc.PerfEventArray);
        while (running()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            int ms = (int) Math.max(1, Math.min(100, left / 1_000_000));
            b.perfBufferPollIfOpen(ms);
            b.ringBufferConsumeIfOpen();
            if (!waits) stop.sleep(Duration.ofMillis(ms));
            out.flush();
        }
        b.perfBufferPollIfOpen(0);
        b.ringBufferConsumeIfOpen();
        out.flush();
    }

    /**
     * bcc's interval loop: every {@code interval} runs {@code print}, {@code count} times (0: until
     * stopped). A stop in the middle of an interval runs {@code print} once more, as bcc's tools
     * print their summary on Ctrl-C.
     */
    public void everyInterval(Duration interval, long count, Runnable print) {
        for (long i = 0; count == 0 || i < count; i++) {
            boolean whole = sleep(interval);
            print.run();
            out.flush();
            if (!whole) return;
        }
    }

    /** Seconds since the tool started, for bcc's {@code TIME(s)} columns. */
    public double elapsedSeconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** The wall-clock time as {@code HH:MM:SS}, bcc's {@code -T} column and interval headers. */
    public static String clock() {
        return LocalTime.now().format(HMS);
    }

    // ---- output ----

    /** The columns' header, unless {@code --json}; then marks the tool {@link #ready}. */
    public void header(Columns columns) {
        if (!json()) out.println(columns.header());
        ready();
    }

    /** One event: a row of {@code columns}, or under {@code --json} an object of their keys. */
    public void row(Columns columns, Object... values) {
        if (!json()) {
            out.println(columns.row(values));
            return;
        }
        Map<String, Object> object = new LinkedHashMap<>();
        List<String> keys = columns.keys();
        for (int i = 0; i < keys.size(); i++) object.put(keys.get(i), values[i]);
        object(object);
    }

    /** One JSON object on its own line (nested maps, lists, numbers, strings, booleans, null). */
    public void object(Map<String, ?> object) {
        out.println(json(object));
    }

    /** {@code object} as one line of JSON, as {@link #object} prints it (for a tool that writes JSON to a file). */
    public static String json(Map<String, ?> object) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            write(g, object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (var e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Iterable<?> list -> {
                g.writeStartArray();
                for (Object o : list) write(g, o);
                g.writeEndArray();
            }
            case long[] list -> {
                g.writeStartArray();
                for (long o : list) g.writeNumber(o);
                g.writeEndArray();
            }
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Short s -> g.writeNumber(s);
            case Byte b -> g.writeNumber(b);
            case Double d -> g.writeNumber(d);
            case Float f -> g.writeNumber(f);
            case java.math.BigInteger b -> g.writeNumber(b);
            case Boolean b -> g.writeBoolean(b);
            default -> g.writeString(v.toString());
        }
    }

    /**
     * A log2 histogram of {@code table}, bcc's layout (with sections for a struct key), or under
     * {@code --json} bcc's JSON histogram objects, one per section.
     */
    public void log2Hist(KeyedTable<?> table, Histogram.Options options) {
        out.print(json() ? Histogram.json(table, options) : Histogram.log2(table, options));
        out.flush();
    }

    /** As {@link #log2Hist} for a linear histogram. */
    public void linearHist(KeyedTable<?> table, Histogram.Options options) {
        out.print(json() ? Histogram.linearJson(table, options) : Histogram.linear(table, options));
        out.flush();
    }
}
