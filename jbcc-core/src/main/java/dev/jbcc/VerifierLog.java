package dev.jbcc;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a verifier log for what a person needs first: the lines that say why the program was
 * rejected, the instruction they refer to, and the C source line the kernel printed for it
 * (from the program's BTF line_info, as {@code ; text @ file:line}).
 */
record VerifierLog(String reason, String instruction, int instructionIndex, String sourceText, String sourceLocation) {
    private static final Pattern INSN = Pattern.compile("^(\\d+): \\([0-9a-f]{2}\\) (.*?)(\\s+;.*)?$");
    private static final Pattern SOURCE = Pattern.compile("^; (.*) @ (\\S+:\\d+)$");
    private static final Pattern TRAILER = Pattern.compile(
            "^(verification time|stack depth|processed \\d+ insns|-- END PROG LOAD LOG --)");
    private static final Pattern STATE_ONLY = Pattern.compile("^\\d+: (R\\d|frame|\\(?[a-z_]+\\)?=)");

    /** Picks the decisive part out of a full log; fields are empty strings when absent. */
    static VerifierLog summarize(String log) {
        List<String> lines = log.lines().toList();
        int end = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            if (TRAILER.matcher(lines.get(i)).find()) {
                end = i;
                break;
            }
        }
        // The reason is the run of non-instruction, non-source lines just before the trailer.
        int start = end;
        while (start > 0) {
            String l = lines.get(start - 1);
            if (l.isBlank() || INSN.matcher(l).matches() || SOURCE.matcher(l).matches()
                    || STATE_ONLY.matcher(l).find())
                break;
            start--;
        }
        var reason = new ArrayList<String>();
        for (int i = start; i < end; i++) if (!lines.get(i).isBlank()) reason.add(lines.get(i).strip());
        String insn = "", text = "", where = "";
        int index = -1;
        for (int i = start - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (index < 0) {
                Matcher m = INSN.matcher(l);
                if (m.matches()) {
                    index = Integer.parseInt(m.group(1));
                    insn = m.group(2).strip();
                }
                continue;
            }
            Matcher s = SOURCE.matcher(l);
            if (s.matches()) {
                text = s.group(1).strip();
                where = s.group(2);
                break;
            }
        }
        if (reason.isEmpty() && end > 0) reason.add(lines.get(end - 1).strip());
        return new VerifierLog(String.join("; ", reason), insn, index, text, where);
    }

    /** One paragraph: source location and line, the reason, and the instruction. */
    String describe() {
        var sb = new StringBuilder();
        if (!sourceLocation.isEmpty()) sb.append(sourceLocation).append(": ");
        sb.append(reason.isEmpty() ? "rejected" : reason);
        if (!sourceText.isEmpty()) sb.append("\n    ").append(sourceText);
        if (instructionIndex >= 0) sb.append("\n    (instruction ").append(instructionIndex).append(": ").append(instruction).append(')');
        return sb.toString();
    }
}
