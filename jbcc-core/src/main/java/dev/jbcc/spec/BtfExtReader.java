package dev.jbcc.spec;

import dev.jbcc.FormatException;
import dev.jbcc.btf.Btf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an object's {@code .BTF.ext}: func_info, line_info and CO-RE records grouped by ELF
 * section. Instruction offsets stay as the file has them, in bytes from the section start; the
 * object reader turns them into per-program slots.
 */
final class BtfExtReader {
    private static final int MAGIC = 0xeb9f;

    /** A record and the byte offset of its instruction in its section. */
    record At<T>(long byteOffset, T record) {}

    /** All records of one section. */
    record SectionInfo(List<At<FuncInfo>> funcs, List<At<LineInfo>> lines, List<At<CoreRelocation>> relocations) {}

    private BtfExtReader() {}

    static Map<String, SectionInfo> read(MemorySegment ext, Btf btf, ByteOrder order, String origin) {
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
        Map<String, List<At<FuncInfo>>> funcs = new HashMap<>();
        Map<String, List<At<LineInfo>>> lines = new HashMap<>();
        Map<String, List<At<CoreRelocation>>> relos = new HashMap<>();
        try {
            if ((ext.get(u16, 0) & 0xffff) != MAGIC) {
                throw new FormatException(origin + ": .BTF.ext has no magic 0xeb9f at offset 0 (wrong byte order or not BTF.ext)");
            }
            int headerLength = ext.get(u32, 4);
            long funcOff = headerLength + uint(ext.get(u32, 8));
            long funcLen = uint(ext.get(u32, 12));
            long lineOff = headerLength + uint(ext.get(u32, 16));
            long lineLen = uint(ext.get(u32, 20));
            readSections(ext, u32, funcOff, funcLen, 8, btf, origin, "func_info", (section, at) -> {
                long insn = uint(ext.get(u32, at));
                funcs.computeIfAbsent(section, k -> new ArrayList<>())
                        .add(new At<>(insn, new FuncInfo(0, ext.get(u32, at + 4))));
            });
            readSections(ext, u32, lineOff, lineLen, 16, btf, origin, "line_info", (section, at) -> {
                long insn = uint(ext.get(u32, at));
                int file = ext.get(u32, at + 4);
                int text = ext.get(u32, at + 8);
                int lineCol = ext.get(u32, at + 12);
                lines.computeIfAbsent(section, k -> new ArrayList<>()).add(new At<>(insn,
                        new LineInfo(0, file, text, lineCol >>> 10, lineCol & 0x3ff, btf.string(file), btf.string(text))));
            });
            if (headerLength >= 32) {
                long reloOff = headerLength + uint(ext.get(u32, 24));
                long reloLen = uint(ext.get(u32, 28));
                readSections(ext, u32, reloOff, reloLen, 16, btf, origin, "core_relo", (section, at) -> {
                    long insn = uint(ext.get(u32, at));
                    int typeId = ext.get(u32, at + 4);
                    String access = btf.string(ext.get(u32, at + 8));
                    int kindValue = ext.get(u32, at + 12);
                    CoreRelocation.Kind kind = CoreRelocation.Kind.of(kindValue);
                    if (kind == null) {
                        throw new FormatException(origin + ": .BTF.ext CO-RE record at offset " + at
                                + " has unknown kind " + kindValue);
                    }
                    relos.computeIfAbsent(section, k -> new ArrayList<>())
                            .add(new At<>(insn, new CoreRelocation(0, typeId, access, kind)));
                });
            }
        } catch (IndexOutOfBoundsException e) {
            throw new FormatException(origin + ": .BTF.ext is truncated (" + ext.byteSize() + " bytes): " + e.getMessage(), e);
        }
        Map<String, SectionInfo> result = new HashMap<>();
        for (String s : union(funcs.keySet(), lines.keySet(), relos.keySet())) {
            result.put(s, new SectionInfo(List.copyOf(funcs.getOrDefault(s, List.of())),
                    List.copyOf(lines.getOrDefault(s, List.of())), List.copyOf(relos.getOrDefault(s, List.of()))));
        }
        return result;
    }

    private interface RecordReader {
        void read(String section, long at);
    }

    /** One info block: u32 record size, then per section {name offset, count, records}. */
    private static void readSections(MemorySegment ext, ValueLayout.OfInt u32, long offset, long length, int minRecord,
                                     Btf btf, String origin, String what, RecordReader reader) {
        if (length == 0) return;
        long end = offset + length;
        if (end > ext.byteSize()) {
            throw new FormatException(origin + ": .BTF.ext " + what + " block at offset " + offset + " with length "
                    + length + " runs past the section's " + ext.byteSize() + " bytes");
        }
        long recordSize = uint(ext.get(u32, offset));
        if (recordSize < minRecord) {
            throw new FormatException(origin + ": .BTF.ext " + what + " record size " + recordSize + " at offset "
                    + offset + " is below the minimum " + minRecord);
        }
        long at = offset + 4;
        while (at < end) {
            String section = btf.string(ext.get(u32, at));
            long count = uint(ext.get(u32, at + 4));
            at += 8;
            if (at + count * recordSize > end) {
                throw new FormatException(origin + ": .BTF.ext " + what + " for section " + section + " declares "
                        + count + " records, past the end of its block");
            }
            for (long i = 0; i < count; i++, at += recordSize) reader.read(section, at);
        }
    }

    @SafeVarargs
    private static List<String> union(java.util.Set<String>... sets) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>();
        for (var s : sets) all.addAll(s);
        return List.copyOf(all);
    }

    private static long uint(int value) {
        return Integer.toUnsignedLong(value);
    }
}
