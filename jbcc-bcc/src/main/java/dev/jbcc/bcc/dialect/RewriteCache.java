package dev.jbcc.bcc.dialect;

import dev.jbcc.compile.internal.CompileCache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The AST pass's results on disk, so a warm compile runs no clang at all: the key is everything
 * the AST depends on (the pre-pass output, flags, the prelude's identity, the program's own
 * headers, the front-end's code), the value the rewritten text and what the pass found.
 */
final class RewriteCache {
    private static final String MAGIC = "JBCC-REWRITE-1";

    private final Path directory;

    RewriteCache(Path directory) {
        this.directory = directory;
    }

    static String key(List<String> parts) {
        var all = new ArrayList<String>(parts.size() + 1);
        all.add(ProgramCache.frontEndIdentity());
        all.addAll(parts);
        var sb = new StringBuilder();
        for (String p : all) sb.append(p.length()).append(':').append(p);
        return CompileCache.sha256Hex(sb.toString());
    }

    AstPass.Result lookup(String key) {
        Path file = directory.resolve(key);
        String s;
        try {
            s = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null; // unreadable: rewrite again
        }
        try {
            return decode(s);
        } catch (RuntimeException e) {
            return null; // damaged entry: rewrite again and overwrite it
        }
    }

    void store(String key, AstPass.Result result) {
        CompileCache.writeAtomically(directory.resolve(key), encode(result).getBytes(StandardCharsets.UTF_8));
    }

    static String encode(AstPass.Result r) {
        var sb = new StringBuilder(MAGIC).append('\n');
        sb.append(r.functions().size()).append('\n');
        for (AstPass.Function f : r.functions()) {
            sb.append(f.name()).append('\t').append(orNull(f.section())).append('\t').append(f.ctxType()).append('\t')
              .append(f.line()).append('\t').append(f.hasSection()).append('\n');
        }
        sb.append(r.submissions().size()).append('\n');
        for (AstPass.Submission s : r.submissions()) {
            sb.append(s.table()).append('\t').append(orNull(s.typeName())).append('\t').append(s.line()).append('\t')
              .append(orNull(s.global())).append('\n');
        }
        return sb.append(r.text()).toString();
    }

    static AstPass.Result decode(String s) {
        String[] head = s.split("\n", -1);
        if (!head[0].equals(MAGIC)) throw new IllegalArgumentException("not a rewrite entry");
        int at = 1;
        int n = Integer.parseInt(head[at++]);
        var functions = new ArrayList<AstPass.Function>();
        for (int i = 0; i < n; i++) {
            String[] f = head[at++].split("\t", -1);
            functions.add(new AstPass.Function(f[0], fromNull(f[1]), f[2], Integer.parseInt(f[3]), Boolean.parseBoolean(f[4])));
        }
        int m = Integer.parseInt(head[at++]);
        var submissions = new ArrayList<AstPass.Submission>();
        for (int i = 0; i < m; i++) {
            String[] f = head[at++].split("\t", -1);
            submissions.add(new AstPass.Submission(f[0], fromNull(f[1]), Integer.parseInt(f[2]), fromNull(f[3])));
        }
        int offset = 0;
        for (int i = 0; i < at; i++) offset = s.indexOf('\n', offset) + 1;
        return new AstPass.Result(s.substring(offset), List.copyOf(functions), List.copyOf(submissions));
    }

    private static String orNull(String s) {
        return s == null ? "\u0000" : s;
    }

    private static String fromNull(String s) {
        return s.equals("\u0000") ? null : s;
    }
}
