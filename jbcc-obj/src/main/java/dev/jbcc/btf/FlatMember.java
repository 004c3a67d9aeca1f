package dev.jbcc.btf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A member of a struct or union as C code reaches it by name: the members of anonymous struct
 * and union members are flattened in, offsets count from the start of the outermost type, and a
 * bitfield has its width however the encoder described it (kind_flag, or an {@code Int} narrower
 * than its storage). What readers of BTF-described records by member name share
 * (jbcc's {@code StructView}, bcc's table values).
 *
 * @param name      the member's name
 * @param bitOffset where its first bit is, from the start of the outermost type
 * @param bits      the bitfield's width, 0 unless it is a bitfield
 * @param type      the member's type as declared (typedefs kept)
 */
public record FlatMember(String name, long bitOffset, int bits, int type) {

    /** Whether the member is a bitfield (read it with {@link #readBits}). */
    public boolean isBitfield() {
        return bits > 0;
    }

    /** The member's first byte, for a member that is not a bitfield. */
    public long byteOffset() {
        return bitOffset / 8;
    }

    /**
     * The members of {@code typeId} by name, in declaration order; empty if the type (typedefs and
     * qualifiers followed) is not a struct or union.
     */
    public static Map<String, FlatMember> of(Btf btf, int typeId) {
        Map<String, FlatMember> out = new LinkedHashMap<>();
        if (btf.type(btf.resolve(typeId)) instanceof BtfType.Composite c) flatten(btf, c, 0, out);
        return Collections.unmodifiableMap(out);
    }

    private static void flatten(Btf btf, BtfType.Composite c, long base, Map<String, FlatMember> out) {
        for (BtfType.Member m : c.members()) {
            long offset = base + Integer.toUnsignedLong(m.bitOffset());
            if (m.name().isEmpty()) {
                if (btf.type(btf.resolve(m.type())) instanceof BtfType.Composite inner) flatten(btf, inner, offset, out);
                continue;
            }
            int bits = m.bitfieldSize();
            // Encoders without kind_flag describe a bitfield by an Int narrower than its storage.
            if (bits == 0 && btf.type(btf.resolve(m.type())) instanceof BtfType.Int i
                    && (i.bits() != i.size() * 8 || i.bitOffset() != 0)) {
                bits = i.bits();
                offset += i.bitOffset();
            }
            out.put(m.name(), new FlatMember(m.name(), offset, bits, m.type()));
        }
    }

    /**
     * The bitfield's value in {@code record}, sign-extended if {@code signed}. Little-endian
     * layout (x86-64, arm64): bit 0 is the low bit of byte 0. A field of a packed struct may
     * straddle nine bytes; one wider than 64 bits keeps its low 64.
     */
    public long readBits(MemorySegment record, boolean signed) {
        long first = bitOffset / 8;
        int shift = (int) (bitOffset % 8);
        int bytes = (shift + Math.min(bits, 64) + 7) / 8;
        long value = 0;
        for (int k = 0; k < Math.min(bytes, 8); k++) value |= Byte.toUnsignedLong(record.get(ValueLayout.JAVA_BYTE, first + k)) << (8 * k);
        value >>>= shift;
        if (bytes > 8) value |= Byte.toUnsignedLong(record.get(ValueLayout.JAVA_BYTE, first + 8)) << (64 - shift);
        if (bits >= 64) return value;
        value &= (1L << bits) - 1;
        if (signed && (value & (1L << (bits - 1))) != 0) value |= -1L << bits;
        return value;
    }

    /** Stores the low {@link #bits} of {@code value} in the bitfield, leaving the bits around it as they were. */
    public void writeBits(MemorySegment record, long value) {
        long first = bitOffset / 8;
        int shift = (int) (bitOffset % 8);
        int width = Math.min(bits, 64);
        for (int k = 0; k < width; ) {
            // One byte at a time: the bits of this field that fall in byte (shift + k) / 8.
            int bit = shift + k;
            long at = first + bit / 8;
            int inByte = bit % 8;
            int n = Math.min(8 - inByte, width - k);
            int mask = ((1 << n) - 1) << inByte;
            int b = record.get(ValueLayout.JAVA_BYTE, at) & 0xff;
            int v = (int) ((value >>> k) << inByte) & mask;
            record.set(ValueLayout.JAVA_BYTE, at, (byte) ((b & ~mask) | v));
            k += n;
        }
    }
}
