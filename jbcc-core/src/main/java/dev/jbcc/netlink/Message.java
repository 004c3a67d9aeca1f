package dev.jbcc.netlink;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static dev.jbcc.netlink.Nl.*;

/**
 * Builds one netlink request in a caller-provided buffer: the nlmsghdr, a fixed family header
 * (ifinfomsg, tcmsg) and rtattrs, nested ones included. Lengths are patched when a nest ends
 * and when the message is sealed. Not thread-safe; one message per buffer at a time.
 */
final class Message {
    private final MemorySegment buf;
    private int len;

    Message(MemorySegment buf, int type, int flags) {
        this.buf = buf;
        buf.asSlice(0, NLMSG_HDRLEN).fill((byte) 0);
        buf.set(U16, HDR_TYPE, (short) type);
        buf.set(U16, HDR_FLAGS, (short) flags);
        len = NLMSG_HDRLEN;
    }

    int type() {
        return Short.toUnsignedInt(buf.get(U16, HDR_TYPE));
    }

    /** Reserves {@code n} zeroed bytes (padded to 4) and returns their offset. */
    private int reserve(int n) {
        int at = len;
        int padded = align4(n);
        if (at + padded > buf.byteSize()) {
            throw new IllegalStateException("netlink request larger than " + buf.byteSize() + " bytes");
        }
        buf.asSlice(at, padded).fill((byte) 0);
        len = at + padded;
        return at;
    }

    /** struct ifinfomsg addressing one device (or none, index 0). */
    Message ifinfomsg(int ifindex) {
        int at = reserve(IFINFOMSG_LEN);
        buf.set(U32, at + IFI_INDEX, ifindex);
        return this;
    }

    /** struct tcmsg, family AF_UNSPEC. */
    Message tcmsg(int ifindex, int handle, int parent, int info) {
        int at = reserve(TCMSG_LEN);
        buf.set(U32, at + TCM_IFINDEX, ifindex);
        buf.set(U32, at + TCM_HANDLE, handle);
        buf.set(U32, at + TCM_PARENT, parent);
        buf.set(U32, at + TCM_INFO, info);
        return this;
    }

    private int attrHeader(int type, int payload) {
        int at = reserve(RTA_HDRLEN + payload);
        buf.set(U16, at, (short) (RTA_HDRLEN + payload));
        buf.set(U16, at + 2, (short) type);
        return at + RTA_HDRLEN;
    }

    Message u32(int type, int value) {
        buf.set(U32, attrHeader(type, 4), value);
        return this;
    }

    Message u8(int type, int value) {
        buf.set(U8, attrHeader(type, 1), (byte) value);
        return this;
    }

    /** A NUL-terminated string attribute. */
    Message string(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int at = attrHeader(type, bytes.length + 1);
        MemorySegment.copy(bytes, 0, buf, U8, at, bytes.length);
        return this;
    }

    /** Opens a nested attribute; pass the result to {@link #end(int)}. */
    int nest(int type) {
        return attrHeader(type | NLA_F_NESTED, 0) - RTA_HDRLEN;
    }

    Message end(int nestStart) {
        buf.set(U16, nestStart, (short) (len - nestStart));
        return this;
    }

    /** Sets length and sequence number; the result is the request's bytes. */
    MemorySegment seal(int seq) {
        buf.set(U32, HDR_LEN, len);
        buf.set(U32, HDR_SEQ, seq);
        return buf.asSlice(0, len);
    }
}
