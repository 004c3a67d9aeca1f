package dev.jbcc.netlink;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static dev.jbcc.netlink.Nl.*;

/**
 * The rtattrs of one region of a netlink message, indexed by type (the last one wins when a type
 * repeats, which none of the attributes read here do). Out-of-range or truncated attributes end
 * the walk: the kernel never sends them, and a short read must not run past the message.
 */
final class Attributes {
    private static final Attributes EMPTY = new Attributes(MemorySegment.NULL, new long[0]);

    private final MemorySegment region;
    /** For each type: (offset of payload << 16 | payload length), or -1 when absent. */
    private final long[] slots;

    private Attributes(MemorySegment region, long[] slots) {
        this.region = region;
        this.slots = slots;
    }

    static Attributes parse(MemorySegment region) {
        long[] slots = new long[16];
        Arrays.fill(slots, -1);
        long at = 0, size = region.byteSize();
        while (at + RTA_HDRLEN <= size) {
            int len = Short.toUnsignedInt(region.get(U16, at));
            int type = Short.toUnsignedInt(region.get(U16, at + 2)) & NLA_TYPE_MASK;
            if (len < RTA_HDRLEN || at + len > size) break;
            if (type >= slots.length) {
                int old = slots.length;
                slots = Arrays.copyOf(slots, Math.max(type + 1, old * 2));
                Arrays.fill(slots, old, slots.length, -1);
            }
            slots[type] = ((at + RTA_HDRLEN) << 16) | (len - RTA_HDRLEN);
            at += align4(len);
        }
        return new Attributes(region, slots);
    }

    boolean has(int type) {
        return type < slots.length && slots[type] >= 0;
    }

    private MemorySegment payload(int type) {
        long slot = slots[type];
        return region.asSlice(slot >>> 16, slot & 0xFFFF);
    }

    int u32(int type, int absent) {
        if (!has(type)) return absent;
        MemorySegment p = payload(type);
        return p.byteSize() >= 4 ? p.get(U32, 0) : absent;
    }

    int u8(int type, int absent) {
        if (!has(type)) return absent;
        MemorySegment p = payload(type);
        return p.byteSize() >= 1 ? Byte.toUnsignedInt(p.get(U8, 0)) : absent;
    }

    /** A NUL-terminated (or unterminated) string attribute, or null when absent. */
    String string(int type) {
        if (!has(type)) return null;
        byte[] bytes = payload(type).toArray(U8);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) n++;
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    byte[] bytes(int type) {
        return has(type) ? payload(type).toArray(U8) : null;
    }

    /** The attributes nested in {@code type}; empty when absent. */
    Attributes nested(int type) {
        return has(type) ? parse(payload(type)) : EMPTY;
    }
}
