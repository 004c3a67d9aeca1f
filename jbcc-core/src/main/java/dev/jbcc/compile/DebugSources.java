package dev.jbcc.compile;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The source text a compile embeds in its debug info ({@code -gembed-source}), cut down to the
 * user's own files. clang's BPF back end takes the C text of BTF line_info (what the verifier's
 * messages quote) from there; headers keep their line numbers but lose their text, which for the
 * generated vmlinux.h is megabytes per object.
 */
final class DebugSources {
    // A DIFile node of textual LLVM IR. IR strings escape '"' and '\' as \22 and \5C, so a quoted
    // string is simply "[^"]*".
    private static final Pattern DI_FILE = Pattern.compile("!DIFile\\((?:[^()\"]|\"[^\"]*\")*\\)");
    private static final Pattern FIELD = Pattern.compile("(filename|directory): \"([^\"]*)\"");
    private static final Pattern SOURCE = Pattern.compile(", source: \"[^\"]*\"");

    private DebugSources() {}

    /**
     * The IR with the embedded text of every file dropped except {@code mainFile} (the compiled
     * file, named relative to its directory) and files under {@code userDirectory} (may be null).
     */
    static String keepOnly(String ir, String mainFile, Path userDirectory) {
        Matcher m = DI_FILE.matcher(ir);
        var out = new StringBuilder(Math.min(ir.length(), 1 << 20));
        while (m.find()) {
            String node = m.group();
            String replacement = isUsers(node, mainFile, userDirectory) ? node : SOURCE.matcher(node).replaceFirst("");
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean isUsers(String node, String mainFile, Path userDirectory) {
        String filename = null, directory = "";
        for (Matcher f = FIELD.matcher(node); f.find(); ) {
            if (f.group(1).equals("filename")) filename = f.group(2);
            else directory = f.group(2);
        }
        if (filename == null) return false;
        if (filename.equals(mainFile)) return true;
        if (userDirectory == null) return false;
        Path file = filename.startsWith("/") || directory.isEmpty() ? Path.of(filename) : Path.of(directory, filename);
        return file.toAbsolutePath().normalize().startsWith(userDirectory.toAbsolutePath().normalize());
    }
}
