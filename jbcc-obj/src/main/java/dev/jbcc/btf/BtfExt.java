package dev.jbcc.btf;

import dev.jbcc.errors.FormatException;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code .BTF.ext} section of a BPF object: per ELF code section, the function boundaries
 * (func_info), source lines (line_info) and CO-RE relocations the compiler recorded. Strings
 * (section names, file names, source lines, access strings) live in the object's {@code .BTF}
 * string table, so parsing needs that {@link Btf}.
 *
 * <p>Instruction offsets are <em>byte</em> offsets from the start of the ELF section, as the
 * object file stores them; the kernel wants instruction indexes (divide by 8) relative to the
 * program, which is the loader's conversion.
 *
 * @param funcInfos  func_info records per ELF section name, in file order
 * @param lineInfos  line_info records per ELF section name, in file order
 * @param coreRelos  CO-RE relocations per ELF section name, in file order
 */
public record BtfExt(Map<String, List<FuncInfo>> funcInfos, Map<String, List<LineInfo>> lineInfos,
                     Map<String, List<CoreRelo>> coreRelos) {

    /** Size of the header up to and including the line_info fields (no CO-RE part). */
    private static final int HEADER_MIN = 24;
    private static final int HEADER_WITH_CORE = 32;
    private static final int FUNC_INFO_MIN = 8;
    private static final int LINE_INFO_MIN = 16;
    private static final int CORE_RELO_MIN = 16;

    public BtfExt {
        funcInfos = copy(funcInfos);
        lineInfos = copy(lineInfos);
        coreRelos = copy(coreRelos);
    }

    private static <T> Map<String, List<T>> copy(Map<String, List<T>> m) {
        LinkedHashMap<String, List<T>> c = new LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(c);
    }

    /**
     * {@code struct bpf_func_info}: a function starts here.
     *
     * @param insnOff byte offset of the function's first instruction in its ELF section
     * @param typeId  id of the {@link BtfType.Func} in the object's BTF
     */
    public record FuncInfo(int insnOff, int typeId) {}

    /**
     * {@code struct bpf_line_info}: the instruction at {@code insnOff} comes from this source line.
     *
     * @param insnOff    byte offset of the instruction in its ELF section
     * @param fileName   source file name
     * @param line       the source line's text
     * @param lineNumber 1-based line number (22 bits)
     * @param column     column (10 bits; 0 if unknown)
     */
    public record LineInfo(int insnOff, String fileName, String line, int lineNumber, int column) {}

    /**
     * {@code struct bpf_core_relo}: the instruction at {@code insnOff} needs a CO-RE fix-up.
     *
     * @param insnOff      byte offset of the instruction in its ELF section
     * @param typeId       id of the root type in the object's BTF
     * @param accessString e.g. {@code "0:1:3"}: member/array indexes from the root, or an
     *                     enumerator index for enum relocations, {@code "0"} for type relocations
     * @param kind         what to compute
     */
    public record CoreRelo(int insnOff, int typeId, String accessString, CoreReloKind kind) {}

    /** Parses {@code .BTF.ext} bytes; {@code btf} is the same object's parsed {@code .BTF}. */
    public static BtfExt parse(byte[] bytes, Btf btf) {
        Objects.requireNonNull(btf, "btf");
        return new Reader(bytes, btf).read();
    }

    private static final class Reader {
        private final byte[] b;
        private final Btf btf;
        private boolean bigEndian;

        Reader(byte[] bytes, Btf btf) {
            this.b = bytes;
            this.btf = btf;
        }

        private FormatException error(String message) {
            return new FormatException(".BTF.ext: " + message);
        }

        private int u32(long at) {
            return Bytes.u32(b, (int) at, bigEndian);
        }

        BtfExt read() {
            if (b.length < HEADER_MIN) {
                throw error(b.length + " bytes is too short for the " + HEADER_MIN + "-byte header");
            }
            if (Bytes.u16(b, 0, false) == Btf.MAGIC) {
                bigEndian = false;
            } else if (Bytes.u16(b, 0, true) == Btf.MAGIC) {
                bigEndian = true;
            } else {
                throw error(String.format("bad magic 0x%04x at offset 0 (expected 0xeb9f)", Bytes.u16(b, 0, false)));
            }
            ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            if (!order.equals(btf.order())) {
                throw error("byte order " + order + " differs from the .BTF section's " + btf.order());
            }
            if ((b[2] & 0xff) != Btf.VERSION) {
                throw error("unsupported version " + (b[2] & 0xff));
            }
            if (b[3] != 0) {
                throw error("header flags are 0x" + Integer.toHexString(b[3] & 0xff) + ", must be 0");
            }
            long hdrLen = Integer.toUnsignedLong(u32(4));
            if (hdrLen < HEADER_MIN || hdrLen > b.length) {
                throw error("header length " + hdrLen + " is outside " + HEADER_MIN + ".." + b.length);
            }
            Map<String, List<FuncInfo>> funcs = new LinkedHashMap<>();
            Map<String, List<LineInfo>> lines = new LinkedHashMap<>();
            Map<String, List<CoreRelo>> relos = new LinkedHashMap<>();
            readSections("func_info", hdrLen, u32(8), u32(12), FUNC_INFO_MIN, (sec, at) ->
                    funcs.computeIfAbsent(sec, k -> new ArrayList<>()).add(new FuncInfo(u32(at), typeId(u32(at + 4), at))));
            readSections("line_info", hdrLen, u32(16), u32(20), LINE_INFO_MIN, (sec, at) -> {
                int lineCol = u32(at + 12);
                lines.computeIfAbsent(sec, k -> new ArrayList<>()).add(new LineInfo(u32(at),
                        string(u32(at + 4), "file name", at), string(u32(at + 8), "line", at), lineCol >>> 10,
                        lineCol & 0x3ff));
            });
            if (hdrLen >= HEADER_WITH_CORE) {
                readSections("core_relo", hdrLen, u32(24), u32(28), CORE_RELO_MIN, (sec, at) -> {
                    int kind = u32(at + 12);
                    CoreReloKind k = CoreReloKind.of(kind);
                    if (k == null) {
                        throw error("CO-RE relocation at offset " + at + " has unknown kind " + kind);
                    }
                    relos.computeIfAbsent(sec, x -> new ArrayList<>()).add(new CoreRelo(u32(at),
                            typeId(u32(at + 4), at), string(u32(at + 8), "access string", at), k));
                });
            }
            return new BtfExt(funcs, lines, relos);
        }

        private interface RecordReader {
            void read(String section, long at);
        }

        /**
         * Reads one sub-section: a record size, then per ELF section {@code {name_off, count,
         * records}}. A record size above the known struct is a newer format; the extra bytes are skipped.
         */
        private void readSections(String what, long hdrLen, int off, int len, int minRecord, RecordReader reader) {
            long start = hdrLen + Integer.toUnsignedLong(off);
            long end = start + Integer.toUnsignedLong(len);
            if (len == 0) {
                return;
            }
            if (end > b.length) {
                throw error(what + " (offset " + Integer.toUnsignedString(off) + ", length "
                        + Integer.toUnsignedString(len) + ") extends past the end of the " + b.length + "-byte section");
            }
            if (len < 4) {
                throw error(what + " is " + len + " bytes, too short for its record size");
            }
            long recSize = Integer.toUnsignedLong(u32(start));
            if (recSize < minRecord || (recSize & 3) != 0) {
                throw error(what + " record size " + recSize + " at offset " + start + " is invalid (at least "
                        + minRecord + ", a multiple of 4)");
            }
            long p = start + 4;
            while (p < end) {
                if (p + 8 > end) {
                    throw error(what + ": section header at offset " + p + " is truncated");
                }
                String section = string(u32(p), "section name", p);
                long count = Integer.toUnsignedLong(u32(p + 4));
                p += 8;
                if (count == 0) {
                    throw error(what + " for section " + section + " at offset " + (p - 8) + " has no records");
                }
                if (count > (end - p) / recSize) { // divided: count * recSize can overflow
                    throw error(what + " for section " + section + ": " + count + " records of " + recSize
                            + " bytes at offset " + p + " extend past the end of " + what);
                }
                for (long i = 0; i < count; i++, p += recSize) {
                    reader.read(section, p);
                }
            }
        }

        private String string(int offset, String what, long at) {
            if (Integer.toUnsignedLong(offset) >= btf.stringsLength()) {
                throw error(what + " offset " + Integer.toUnsignedString(offset) + " (record at offset " + at
                        + ") is past the end of the .BTF string table (" + btf.stringsLength() + " bytes)");
            }
            return btf.string(offset);
        }

        private int typeId(int id, long at) {
            if (id < 0 || id >= btf.typeCount()) {
                throw error("type id " + Integer.toUnsignedString(id) + " (record at offset " + at
                        + ") does not exist in .BTF (last id " + (btf.typeCount() - 1) + ")");
            }
            return id;
        }
    }
}
