package dev.jbcc.btf;

import dev.jbcc.errors.FormatException;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Checks a raw BTF blob and indexes its types: one pass over the type section that records each
 * type's offset and checks sizes, kinds, string offsets and type ids. Records are built later, on
 * demand, by {@link Btf#type(int)}.
 */
final class BtfParser {
    private final byte[] data;
    private final boolean bigEndian;
    private final String what;

    private BtfParser(byte[] data, boolean bigEndian, String what) {
        this.data = data;
        this.bigEndian = bigEndian;
        this.what = what;
    }

    private int u32(long offset) {
        return Bytes.u32(data, (int) offset, bigEndian);
    }

    private FormatException error(String message) {
        return new FormatException(what + ": " + message);
    }

    /** Parses {@code data}, which the returned Btf keeps: the caller must not change it afterwards. */
    static Btf parse(byte[] data, Btf base, String what) {
        if (data.length < Btf.HEADER_SIZE) {
            throw new FormatException(what + ": " + data.length + " bytes is too short for the "
                    + Btf.HEADER_SIZE + "-byte BTF header");
        }
        boolean bigEndian;
        if (Bytes.u16(data, 0, false) == Btf.MAGIC) {
            bigEndian = false;
        } else if (Bytes.u16(data, 0, true) == Btf.MAGIC) {
            bigEndian = true;
        } else {
            throw new FormatException(String.format("%s: bad magic 0x%04x at offset 0 (BTF starts with 0xeb9f); "
                    + "is this a BTF blob (e.g. the .BTF section, not the whole ELF file)?", what,
                    Bytes.u16(data, 0, false)));
        }
        ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        return new BtfParser(data, bigEndian, what).parse(base, order);
    }

    private Btf parse(Btf base, ByteOrder order) {
        int version = data[2] & 0xff;
        if (version != Btf.VERSION) {
            throw error("unsupported BTF version " + version + " (only version 1 exists)");
        }
        int flags = data[3] & 0xff;
        if (flags != 0) {
            throw error("header flags are 0x" + Integer.toHexString(flags) + ", must be 0");
        }
        long size = data.length;
        long hdrLen = Integer.toUnsignedLong(u32(4));
        if (hdrLen < Btf.HEADER_SIZE || hdrLen > size) {
            throw error("header length " + hdrLen + " is outside " + Btf.HEADER_SIZE + ".." + size);
        }
        for (long i = Btf.HEADER_SIZE; i < hdrLen; i++) {
            if (data[(int) i] != 0) {
                throw error("header is " + hdrLen + " bytes and has unknown non-zero fields after byte "
                        + Btf.HEADER_SIZE + "; this BTF needs a newer parser");
            }
        }
        long typeOff = Integer.toUnsignedLong(u32(8));
        long typeLen = Integer.toUnsignedLong(u32(12));
        long strOff = Integer.toUnsignedLong(u32(16));
        long strLen = Integer.toUnsignedLong(u32(20));
        long typesStart = hdrLen + typeOff;
        long stringsStart = hdrLen + strOff;
        if (typesStart + typeLen > size) {
            throw error("type section (offset " + typeOff + ", length " + typeLen + ") extends past the end of the "
                    + size + "-byte blob");
        }
        if (stringsStart + strLen > size) {
            throw error("string section (offset " + strOff + ", length " + strLen + ") extends past the end of the "
                    + size + "-byte blob");
        }
        if ((typeOff & 3) != 0) {
            throw error("type section offset " + typeOff + " is not 4-byte aligned");
        }
        if (typeOff < strOff + strLen && strOff < typeOff + typeLen) {
            throw error("type section [" + typeOff + ", " + (typeOff + typeLen) + ") and string section ["
                    + strOff + ", " + (strOff + strLen) + ") overlap");
        }
        if (strLen > 0x7fff_ffffL - (base == null ? 0 : base.stringsLength())) {
            throw error("string section of " + strLen + " bytes is too large");
        }
        if (base == null && (strLen == 0 || data[(int) stringsStart] != 0)) {
            throw error("string section must start with the empty string (a NUL byte)");
        }
        if (strLen > 0 && data[(int) (stringsStart + strLen - 1)] != 0) {
            throw error("string section does not end with a NUL byte");
        }
        int firstStringOffset = base == null ? 0 : base.stringsLength();
        long stringsEnd = firstStringOffset + strLen;
        int[] offsets = scanTypes(typesStart, typeLen, stringsEnd, base);
        return Btf.create(base, data, order, offsets, (int) stringsStart, (int) strLen);
    }

    /**
     * One pass over the type section. String offsets are checked against the table's end here;
     * that they start a string (follow a NUL) is not, as the kernel does not require it either.
     */
    private int[] scanTypes(long start, long length, long stringsEnd, Btf base) {
        int firstId = base == null ? 1 : base.typeCount();
        // Kernel types average ~37 bytes; start with room for most and grow if needed.
        int[] offsets = new int[(int) Math.max(16, length / 32)];
        int count = 0;
        long end = start + length;
        long p = start;
        long maxRef = 0;
        if (end > Integer.MAX_VALUE) {
            throw error("blob of " + end + " bytes is too large for BTF");
        }
        while (p < end) {
            if (p + Btf.TYPE_SIZE > end) {
                throw error("type id " + (firstId + count) + " at offset " + p + ": truncated (" + (end - p)
                        + " bytes left in the type section, a type needs " + Btf.TYPE_SIZE + ")");
            }
            int nameOff = u32(p);
            int info = u32(p + 4);
            int sizeOrType = u32(p + 8);
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            if (Integer.toUnsignedLong(nameOff) >= stringsEnd) {
                throw at(firstId + count, p, "name offset " + Integer.toUnsignedString(nameOff)
                        + " is past the end of the string table (" + stringsEnd + " bytes)");
            }
            long extra;
            switch (kind) {
                case 1 -> { // INT
                    extra = 4;
                    checkRoom(p, extra, end, firstId + count);
                    int enc = u32(p + Btf.TYPE_SIZE);
                    int bits = enc & 0xff;
                    int bitOffset = (enc >>> 16) & 0xff;
                    if (BtfType.IntEncoding.of((enc >>> 24) & 0xf) == null || (enc & 0xf000ff00) != 0) {
                        throw at(firstId + count, p, "INT has invalid encoding word 0x" + Integer.toHexString(enc));
                    }
                    if (sizeOrType <= 0 || sizeOrType > 16 || bits + bitOffset > sizeOrType * 8) {
                        throw at(firstId + count, p, "INT of size " + sizeOrType + " with " + bits
                                + " bits at bit offset " + bitOffset + " does not fit");
                    }
                }
                case 2, 8, 9, 10, 11, 18 -> { // PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG
                    extra = 0;
                    maxRef = Math.max(maxRef, Integer.toUnsignedLong(sizeOrType));
                }
                case 3 -> { // ARRAY
                    extra = 12;
                    checkRoom(p, extra, end, firstId + count);
                    maxRef = Math.max(maxRef, Integer.toUnsignedLong(u32(p + 12)));
                    maxRef = Math.max(maxRef, Integer.toUnsignedLong(u32(p + 16)));
                }
                case 4, 5 -> { // STRUCT, UNION
                    extra = 12L * vlen;
                    checkRoom(p, extra, end, firstId + count);
                    for (long m = p + Btf.TYPE_SIZE, mEnd = m + extra; m < mEnd; m += 12) {
                        if (Integer.toUnsignedLong(u32(m)) >= stringsEnd) {
                            throw at(firstId + count, p, "member " + (m - p - Btf.TYPE_SIZE) / 12
                                    + " has a name offset past the end of the string table");
                        }
                        maxRef = Math.max(maxRef, Integer.toUnsignedLong(u32(m + 4)));
                    }
                }
                case 6 -> { // ENUM
                    extra = 8L * vlen;
                    checkRoom(p, extra, end, firstId + count);
                    checkNames(p, vlen, 8, stringsEnd, firstId + count, "enumerator");
                }
                case 19 -> { // ENUM64
                    extra = 12L * vlen;
                    checkRoom(p, extra, end, firstId + count);
                    checkNames(p, vlen, 12, stringsEnd, firstId + count, "enumerator");
                }
                case 7, 16 -> extra = 0; // FWD, FLOAT
                case 12 -> { // FUNC
                    extra = 0;
                    if (vlen > 2) {
                        throw at(firstId + count, p, "FUNC has unknown linkage " + vlen);
                    }
                    maxRef = Math.max(maxRef, Integer.toUnsignedLong(sizeOrType));
                }
                case 13 -> { // FUNC_PROTO
                    extra = 8L * vlen;
                    checkRoom(p, extra, end, firstId + count);
                    maxRef = Math.max(maxRef, Integer.toUnsignedLong(sizeOrType));
                    for (long m = p + Btf.TYPE_SIZE, mEnd = m + extra; m < mEnd; m += 8) {
                        if (Integer.toUnsignedLong(u32(m)) >= stringsEnd) {
                            throw at(firstId + count, p, "parameter " + (m - p - Btf.TYPE_SIZE) / 8
                                    + " has a name offset past the end of the string table");
                        }
                        maxRef = Math.max(maxRef, Integer.toUnsignedLong(u32(m + 4)));
                    }
                }
                case 14 -> { // VAR
                    extra = 4;
                    checkRoom(p, extra, end, firstId + count);
                    int linkage = u32(p + Btf.TYPE_SIZE);
                    if (linkage < 0 || linkage > 2) {
                        throw at(firstId + count, p, "VAR has unknown linkage " + Integer.toUnsignedString(linkage));
                    }
                    maxRef = Math.max(maxRef, Integer.toUnsignedLong(sizeOrType));
                }
                case 15 -> { // DATASEC
                    extra = 12L * vlen;
                    checkRoom(p, extra, end, firstId + count);
                    for (long m = p + Btf.TYPE_SIZE, mEnd = m + extra; m < mEnd; m += 12) {
                        maxRef = Math.max(maxRef, Integer.toUnsignedLong(u32(m)));
                    }
                }
                case 17 -> { // DECL_TAG
                    extra = 4;
                    checkRoom(p, extra, end, firstId + count);
                    if (u32(p + Btf.TYPE_SIZE) < -1) {
                        throw at(firstId + count, p, "DECL_TAG has component index " + u32(p + Btf.TYPE_SIZE));
                    }
                    maxRef = Math.max(maxRef, Integer.toUnsignedLong(sizeOrType));
                }
                default -> throw at(firstId + count, p, "unknown kind " + kind + (kind == 0
                        ? " (UNKN: id 0 is implicit and must not be encoded)" : "; this BTF needs a newer parser"));
            }
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count + (count >> 1) + 16);
            }
            offsets[count++] = (int) p;
            p += Btf.TYPE_SIZE + extra;
        }
        int typeCount = firstId + count;
        if (maxRef >= typeCount) {
            throw firstBadReference(offsets, count, firstId, typeCount);
        }
        return count == offsets.length ? offsets : Arrays.copyOf(offsets, count);
    }

    private void checkRoom(long p, long extra, long end, int id) {
        if (p + Btf.TYPE_SIZE + extra > end) {
            throw at(id, p, "needs " + (Btf.TYPE_SIZE + extra) + " bytes but the type section ends after "
                    + (end - p));
        }
    }

    private void checkNames(long p, int count, int stride, long stringsEnd, int id, String what) {
        long e = p + Btf.TYPE_SIZE;
        for (int i = 0; i < count; i++, e += stride) {
            if (Integer.toUnsignedLong(u32(e)) >= stringsEnd) {
                throw at(id, p, what + " " + i + " has a name offset past the end of the string table");
            }
        }
    }

    private FormatException at(int id, long offset, String message) {
        int kind = (u32(offset + 4) >>> 24) & 0x1f;
        BtfKind k = BtfKind.of(kind);
        return error("type id " + id + " (" + (k == null ? "kind " + kind : k.name()) + ") at offset " + offset
                + ": " + message);
    }

    /** Slow path, only when the scan saw a reference past the last id: find and name the first. */
    private FormatException firstBadReference(int[] offsets, int count, int firstId, int typeCount) {
        for (int i = 0; i < count; i++) {
            long p = offsets[i];
            int kind = (u32(p + 4) >>> 24) & 0x1f;
            int vlen = u32(p + 4) & 0xffff;
            long ref = -1;
            String where = "";
            switch (kind) {
                case 2, 8, 9, 10, 11, 18, 12, 14, 17 -> ref = Integer.toUnsignedLong(u32(p + 8));
                case 3 -> {
                    ref = Math.max(Integer.toUnsignedLong(u32(p + 12)), Integer.toUnsignedLong(u32(p + 16)));
                    where = "element or index ";
                }
                case 4, 5, 13, 15 -> {
                    int stride = kind == 13 ? 8 : 12;
                    int field = kind == 15 ? 0 : 4;
                    if (kind == 13) {
                        ref = Integer.toUnsignedLong(u32(p + 8));
                        where = "return ";
                    }
                    for (int m = 0; m < vlen; m++) {
                        long r = Integer.toUnsignedLong(u32(p + Btf.TYPE_SIZE + (long) m * stride + field));
                        if (r >= typeCount) {
                            ref = r;
                            where = (kind == 13 ? "parameter " : kind == 15 ? "variable " : "member ") + m + " ";
                            break;
                        }
                    }
                }
                default -> { }
            }
            if (ref >= typeCount) {
                return at(firstId + i, p, where + "type id " + ref + " does not exist (the last id is "
                        + (typeCount - 1) + ")");
            }
        }
        return error("a type id past the last type " + (typeCount - 1));
    }
}
