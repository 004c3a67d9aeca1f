package dev.jbcc.bcc.dialect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * clang's JSON AST dump ({@code -Xclang -ast-dump=json}) as a tree of {@link Node}s with source
 * locations resolved to the main file. clang prints a location's file only when it differs from
 * the previous location printed, so files are resolved in document order.
 */
final class ClangAst {
    private ClangAst() {}

    /**
     * A position in the main file, or not in it.
     *
     * @param offset     character offset in the main file's text, or -1 if the position is elsewhere
     * @param length     the token's length in characters
     * @param fromMacro  whether the token came out of a macro body (not a macro argument)
     */
    record Loc(int offset, int length, boolean fromMacro) {
        static final Loc NONE = new Loc(-1, 0, true);

        boolean inMain() {
            return offset >= 0;
        }
    }

    static final class Node {
        final String kind;
        final Map<String, Object> json;
        final List<Node> children = new ArrayList<>();
        Node parent;
        int depth;
        /** Where the node's text starts and ends when it is written in the main file (not from a macro body). */
        Loc begin = Loc.NONE, end = Loc.NONE;
        /** The main-file position the node's code is attributed to (for macro bodies: the macro's use). */
        int expansionOffset = -1;

        Node(String kind, Map<String, Object> json) {
            this.kind = kind;
            this.json = json;
        }

        boolean is(String k) {
            return kind.equals(k);
        }

        String string(String key) {
            Object v = json.get(key);
            return v instanceof String s ? s : null;
        }

        boolean flag(String key) {
            return Boolean.TRUE.equals(json.get(key));
        }

        String id() {
            return string("id");
        }

        String name() {
            return string("name");
        }

        /** The node's type as clang writes it, e.g. "struct sock *". */
        String type() {
            return qualType(json.get("type"));
        }

        String castKind() {
            return string("castKind");
        }

        String opcode() {
            return string("opcode");
        }

        @SuppressWarnings("unchecked")
        String refId() {
            return json.get("referencedDecl") instanceof Map<?, ?> m ? (String) ((Map<String, Object>) m).get("id") : null;
        }

        @SuppressWarnings("unchecked")
        String refName() {
            return json.get("referencedDecl") instanceof Map<?, ?> m ? (String) ((Map<String, Object>) m).get("name") : null;
        }

        Node child(int i) {
            return i < children.size() ? children.get(i) : null;
        }

        /** The range [start, end) of the node's text in the main file, or null if it is not all there. */
        int[] range() {
            if (!begin.inMain() || !end.inMain() || begin.fromMacro() || end.fromMacro()) return null;
            int e = end.offset() + end.length();
            return e >= begin.offset() ? new int[] {begin.offset(), e} : null;
        }

        @Override
        public String toString() {
            return kind + (name() != null ? " " + name() : "") + (type() != null ? " '" + type() + "'" : "");
        }
    }

    @SuppressWarnings("unchecked")
    private static String qualType(Object type) {
        return type instanceof Map<?, ?> m ? (String) ((Map<String, Object>) m).get("qualType") : null;
    }

    /**
     * Parses a dump.
     *
     * @param json      clang's output
     * @param mainFile  the main file's name as clang was given it
     * @param mainText  the main file's text (to turn clang's byte offsets into character offsets)
     */
    static Node parse(String json, String mainFile, String mainText) {
        Object root = Json.parse(json);
        if (!(root instanceof Map<?, ?>)) throw new IllegalArgumentException("AST dump is not a JSON object");
        var builder = new Builder(mainFile, ByteOffsets.of(mainText));
        return builder.node(cast(root), null, 0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    private static final class Builder {
        private final String mainFile;
        private final ByteOffsets offsets;
        private String lastFile;

        Builder(String mainFile, ByteOffsets offsets) {
            this.mainFile = mainFile;
            this.offsets = offsets;
        }

        Node node(Map<String, Object> json, Node parent, int depth) {
            Node n = new Node(String.valueOf(json.get("kind")), json);
            n.parent = parent;
            n.depth = depth;
            // Keys are visited in clang's output order, which the file tracking depends on.
            for (Map.Entry<String, Object> e : json.entrySet()) {
                switch (e.getKey()) {
                    case "loc" -> {
                        if (e.getValue() instanceof Map<?, ?> m) {
                            Resolved r = location(cast(m));
                            if (n.expansionOffset < 0) n.expansionOffset = r.expansion;
                        }
                    }
                    case "range" -> {
                        if (e.getValue() instanceof Map<?, ?> m) {
                            Map<String, Object> range = cast(m);
                            Resolved b = range.get("begin") instanceof Map<?, ?> bm ? location(cast(bm)) : Resolved.NONE;
                            Resolved en = range.get("end") instanceof Map<?, ?> em ? location(cast(em)) : Resolved.NONE;
                            n.begin = b.written;
                            n.end = en.written;
                            if (b.expansion >= 0) n.expansionOffset = b.expansion;
                        }
                    }
                    case "inner" -> {
                        if (e.getValue() instanceof List<?> list) {
                            for (Object o : list) {
                                if (o instanceof Map<?, ?> m) n.children.add(node(cast(m), n, depth + 1));
                            }
                        }
                    }
                    default -> visitOther(e.getValue());
                }
            }
            return n;
        }

        /** Other attributes can hold locations too (e.g. a decl's attributes); keep the file state right. */
        private void visitOther(Object value) {
            if (value instanceof Map<?, ?> m) {
                Map<String, Object> map = cast(m);
                if (map.containsKey("offset") || map.containsKey("spellingLoc")) {
                    location(map);
                } else {
                    for (Object v : map.values()) visitOther(v);
                }
            } else if (value instanceof List<?> list) {
                for (Object v : list) visitOther(v);
            }
        }

        /**
         * @param written   where the text is written, if in the main file and not in a macro body
         * @param expansion the main-file offset of the code (the macro use for macro bodies), or -1
         */
        private record Resolved(Loc written, int expansion) {
            static final Resolved NONE = new Resolved(Loc.NONE, -1);
        }

        private Resolved location(Map<String, Object> loc) {
            if (loc.containsKey("spellingLoc") || loc.containsKey("expansionLoc")) {
                Map<String, Object> spelling = loc.get("spellingLoc") instanceof Map<?, ?> s ? cast(s) : null;
                Map<String, Object> expansion = loc.get("expansionLoc") instanceof Map<?, ?> x ? cast(x) : null;
                int spellingOffset = spelling == null ? -1 : bare(spelling);
                int spellingLength = spelling == null ? 0 : tokLen(spelling, spellingOffset);
                int expansionOffset = expansion == null ? -1 : bare(expansion);
                boolean macroArg = expansion != null && Boolean.TRUE.equals(expansion.get("isMacroArgExpansion"));
                Loc written = spellingOffset >= 0 && macroArg ? new Loc(spellingOffset, spellingLength, false)
                        : spellingOffset >= 0 ? new Loc(spellingOffset, spellingLength, true) : Loc.NONE;
                return new Resolved(written, expansionOffset);
            }
            int offset = bare(loc);
            return offset >= 0 ? new Resolved(new Loc(offset, tokLen(loc, offset), false), offset) : Resolved.NONE;
        }

        /** A bare location's character offset in the main file, or -1; updates the current file. */
        private int bare(Map<String, Object> loc) {
            if (loc.get("file") instanceof String f) lastFile = f;
            if (!(loc.get("offset") instanceof Long byteOffset)) return -1;
            if (!mainFile.equals(lastFile)) return -1;
            return offsets.charOffset(byteOffset.intValue());
        }

        private int tokLen(Map<String, Object> loc, int charOffset) {
            if (!(loc.get("tokLen") instanceof Long len) || charOffset < 0) return 0;
            if (!(loc.get("offset") instanceof Long byteOffset)) return 0;
            return offsets.charOffset(byteOffset.intValue() + len.intValue()) - charOffset;
        }
    }

    /** clang counts bytes of UTF-8; Java strings count chars. Identity for ASCII text. */
    static final class ByteOffsets {
        private final int[] charAtByte; // null when the text is ASCII

        private ByteOffsets(int[] charAtByte) {
            this.charAtByte = charAtByte;
        }

        static ByteOffsets of(String text) {
            boolean ascii = true;
            for (int i = 0; i < text.length() && ascii; i++) ascii = text.charAt(i) < 0x80;
            if (ascii) return new ByteOffsets(null);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int[] map = new int[bytes.length + 1];
            int b = 0;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                for (int k = 0; k < n && b + k < bytes.length; k++) map[b + k] = i;
                b += n;
                i += Character.charCount(cp);
            }
            map[bytes.length] = text.length();
            return new ByteOffsets(map);
        }

        int charOffset(int byteOffset) {
            if (charAtByte == null) return byteOffset;
            if (byteOffset < 0) return -1;
            return charAtByte[Math.min(byteOffset, charAtByte.length - 1)];
        }
    }
}
