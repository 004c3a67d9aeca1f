package dev.jbcc.trace;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of trace output split into its fields, as bcc's {@code trace_fields()} does for
 * {@code bpf_trace_printk} output.
 *
 * <pre>
 *            &lt;idle&gt;-0       [001] d.h1. 12345.678901: bpf_trace_printk: Hello, World!
 *     Web Content-4321    ( 4300) [000] .....   123.456789: bpf_trace_printk: with the TGID column
 * </pre>
 *
 * @param task      the task's comm (may contain spaces and dashes; {@code <...>} when unknown)
 * @param pid       the thread id
 * @param cpu       the CPU the line was written on
 * @param flags     the irq/preempt flags column ({@code d.h1.}), "" when the kernel prints none
 * @param timestamp seconds, as printed
 * @param message   what follows the event name, e.g. the {@code bpf_trace_printk} text
 * @param tgid      the process id, when the {@code record-tgid} option adds that column and knows it
 * @param event     the event name before the message ({@code bpf_trace_printk}, or an address such
 *                  as {@code 0x00000001} on old kernels)
 */
public record TraceEvent(String task, int pid, int cpu, String flags, double timestamp, String message,
                         OptionalInt tgid, String event) {
    // The comm is matched lazily (and bounded), so a comm such as "my-app-12" or one with spaces
    // ends at the first "-<pid>" that is followed by the CPU column, and text in a message
    // cannot be mistaken for the prefix.
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(.{1,64}?)-(\\d+)\\s+(?:\\(\\s*(\\d+|-+)\\)\\s+)?\\[(\\d+)\\]\\s+(?:(\\S+)\\s+)?(\\d+(?:\\.\\d+)?):\\s(.*)$");

    /**
     * Parses a trace_pipe line; empty for lines that are not events (the
     * {@code CPU:1 [LOST 3 EVENTS]} notes, blank lines, headers of the {@code trace} file).
     */
    public static Optional<TraceEvent> parse(String line) {
        if (line.isEmpty() || line.startsWith("CPU:") || line.startsWith("#")) return Optional.empty();
        Matcher m = LINE.matcher(line);
        if (!m.matches()) return Optional.empty();
        String tgidText = m.group(3);
        OptionalInt tgid = tgidText == null || tgidText.startsWith("-") ? OptionalInt.empty()
                : OptionalInt.of(Integer.parseInt(tgidText));
        String rest = m.group(7);
        int colon = rest.indexOf(": ");
        String event = colon < 0 ? "" : rest.substring(0, colon);
        String message = colon < 0 ? rest : rest.substring(colon + 2);
        return Optional.of(new TraceEvent(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(4)),
                m.group(5) == null ? "" : m.group(5), Double.parseDouble(m.group(6)), message, tgid, event));
    }

    /**
     * The number of events a {@code CPU:N [LOST n EVENTS]} line reports, or -1 for any other line.
     */
    public static long lostEvents(String line) {
        if (!line.startsWith("CPU:")) return -1;
        int start = line.indexOf("[LOST ");
        int end = line.indexOf(" EVENTS]");
        if (start < 0 || end < start) return -1;
        try {
            return Long.parseLong(line.substring(start + 6, end).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
