package dev.jbcc.bcc.dialect;

import dev.jbcc.errors.CompileException;
import dev.jbcc.errors.FileAccessException;
import dev.jbcc.trace.Tracefs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tracepoint's record layout, from {@code <tracefs>/events/<category>/<event>/format}, and the C
 * struct bcc generates for {@code TRACEPOINT_PROBE}'s {@code args}: the common fields collapsed
 * into one u64, {@code __data_loc} fields as {@code int data_loc_<name>}, explicit padding so every
 * field sits at the offset the kernel gives.
 *
 * @param category the tracepoint's category ("syscalls")
 * @param event    the event ("sys_enter_clone")
 * @param fields   the fields after the common ones, in offset order
 */
public record TracepointFormat(String category, String event, List<Field> fields) {

    /**
     * One field of the record.
     *
     * @param declaration the C declaration tracefs gives, e.g. "const char * filename"
     * @param name        the field name in the generated struct
     * @param offset      byte offset in the record
     * @param size        size in bytes
     * @param signed      whether tracefs says the field is signed
     */
    public record Field(String declaration, String name, int offset, int size, boolean signed) {}

    /** Where tracefs is usually mounted, newest convention first. */
    public static final List<Path> TRACEFS_ROOTS = List.of(Tracefs.TRACEFS, Tracefs.DEBUGFS_TRACING);

    private static final Pattern FIELD = Pattern.compile(
            "field:(.+?);\\s*offset:(\\d+);\\s*size:(\\d+);\\s*signed:(\\d+);");
    private static final int COMMON_SIZE = 8;
    private static final Pattern POINTER_TYPE = Pattern.compile(
            "(const\\s+)?(volatile\\s+)?((struct|union|enum)\\s+\\w+|(unsigned\\s+|signed\\s+)?(char|short|int|long|long\\s+long)"
            + "|unsigned|void|[us](8|16|32|64)|__[us](8|16|32|64)|pid_t|size_t|loff_t|umode_t)\\s*(const\\s*)?\\*[\\s*]*");

    /** The generated struct's tag: {@code tracepoint__<category>__<event>}. */
    public String structName() {
        return "tracepoint__" + category + "__" + event;
    }

    /** Reads the format file of a tracepoint from the first tracefs root that has it. */
    public static TracepointFormat read(List<Path> roots, String category, String event) {
        if (!category.matches("\\w+") || !event.matches("\\w+")) {
            throw new CompileException("tracepoint " + category + ":" + event
                    + " is not a valid name (letters, digits and underscores)", "");
        }
        Path format = formatFile(roots, category, event);
        if (format != null) {
            try {
                return parse(category, event, Files.readString(format));
            } catch (NoSuchFileException e) {
                throw new CompileException("tracepoint " + category + ":" + event + " does not exist on this kernel (no "
                        + format + "); list them with `ls " + format.getParent().getParent().getParent() + "`", "");
            } catch (IOException e) {
                throw FileAccessException.of("read", format, e);
            }
        }
        String closed = Tracefs.closedToThisProcess(roots);
        if (closed != null) {
            throw new CompileException("TRACEPOINT_PROBE(" + category + ", " + event + ") reads the tracepoint's format from tracefs: "
                    + closed, "");
        }
        throw new CompileException("TRACEPOINT_PROBE(" + category + ", " + event + ") needs tracefs, which is not mounted"
                + " at " + roots.getFirst() + ": mount it with `mount -t tracefs nodev " + roots.getFirst() + "`", "");
    }

    /**
     * The format file of a tracepoint under the first tracefs root that has an {@code events}
     * directory (the file itself may not exist), or null if no root has one.
     */
    static Path formatFile(List<Path> roots, String category, String event) {
        for (Path root : roots) {
            Path events = root.resolve("events");
            if (Files.isDirectory(events)) return events.resolve(category).resolve(event).resolve("format");
        }
        return null;
    }

    /** Parses a format file's text. */
    public static TracepointFormat parse(String category, String event, String formatText) {
        var fields = new ArrayList<Field>();
        Matcher m = FIELD.matcher(formatText);
        while (m.find()) {
            String decl = m.group(1).strip();
            int offset = number(m.group(2), decl, category, event);
            int size = number(m.group(3), decl, category, event);
            boolean signed = m.group(4).equals("1");
            if (offset < COMMON_SIZE) continue; // common_type, common_flags, common_preempt_count, common_pid
            String name = fieldName(decl);
            if (decl.startsWith("__data_loc")) name = "data_loc_" + name;
            fields.add(new Field(decl, name, offset, size, signed));
        }
        fields.sort(java.util.Comparator.comparingInt(Field::offset));
        return new TracepointFormat(category, event, List.copyOf(fields));
    }

    private static int number(String digits, String decl, String category, String event) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new CompileException("tracefs format of " + category + ":" + event + ": field '" + decl + "' has offset, size or length "
                    + digits + ", beyond any event record", "");
        }
    }

    /** The identifier of a declaration like "unsigned long clone_flags" or "char comm[16]". */
    private static String fieldName(String decl) {
        String d = decl.replaceAll("\\[[^]]*]\\s*$", "").strip();
        Matcher m = Pattern.compile("(\\w+)\\s*$").matcher(d);
        if (!m.find()) throw new CompileException("cannot read a field name from tracefs declaration '" + decl + "'", "");
        return m.group(1);
    }

    /**
     * The struct on one line. Field types: pointers keep their declared type (so {@code *args->p}
     * has a type), {@code char} arrays stay {@code char}, everything else becomes the integer of its
     * size and signedness, which needs no kernel type name to resolve.
     */
    public String structDefinition() {
        var sb = new StringBuilder("struct ").append(structName()).append(" { u64 __do_not_use__;");
        int at = COMMON_SIZE;
        int pad = 0;
        for (Field f : fields) {
            if (f.offset() < at) continue; // overlapping (union-like) fields cannot be expressed; keep the first
            if (f.offset() > at) sb.append(" char __pad_").append(pad++).append("[").append(f.offset() - at).append("];");
            sb.append(' ').append(declaration(f)).append(';');
            at = f.offset() + f.size();
        }
        sb.append(" };");
        return sb.toString();
    }

    private String declaration(Field f) {
        String decl = f.declaration();
        if (decl.startsWith("__data_loc")) return (f.size() == 4 ? "int " : intType(f.size(), true) + " ") + f.name();
        Matcher array = Pattern.compile("\\[(\\d*)]\\s*$").matcher(decl);
        if (array.find()) {
            String count = array.group(1);
            String base = decl.substring(0, array.start()).replaceAll("\\w+\\s*$", "").strip();
            int n = count.isEmpty() ? 0 : number(count, decl, category, event);
            if (base.matches("(const\\s+)?(unsigned\\s+|signed\\s+)?char")) return "char " + f.name() + "[" + Math.max(n, f.size()) + "]";
            int element = n > 0 ? f.size() / n : 1;
            if (n > 0 && element * n == f.size() && (element == 1 || element == 2 || element == 4 || element == 8)) {
                return intType(element, f.signed()) + " " + f.name() + "[" + n + "]";
            }
            return "u8 " + f.name() + "[" + f.size() + "]";
        }
        if (decl.contains("*") && f.size() == 8) {
            String type = decl.substring(0, decl.length() - f.name().length()).strip();
            // Kernel typedefs in tracefs need not exist in BTF under that name; a pointer to one
            // becomes void *, which still reads and prints as a pointer.
            return (POINTER_TYPE.matcher(type).matches() ? type : "void *") + " " + f.name();
        }
        if (f.size() == 1 || f.size() == 2 || f.size() == 4 || f.size() == 8) return intType(f.size(), f.signed()) + " " + f.name();
        return "u8 " + f.name() + "[" + f.size() + "]";
    }

    private static String intType(int size, boolean signed) {
        return (signed ? "s" : "u") + (size * 8);
    }
}
