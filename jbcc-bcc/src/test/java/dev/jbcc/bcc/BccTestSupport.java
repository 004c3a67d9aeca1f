package dev.jbcc.bcc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test programs from the class path and the packets that feed them. */
final class BccTestSupport {
    private BccTestSupport() {}

    static String resource(String name) {
        try (InputStream in = BccTestSupport.class.getResourceAsStream("/bcc/" + name)) {
            if (in == null) throw new IllegalStateException("test resource /bcc/" + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An Ethernet-sized packet: value (u64, little-endian), op, section, zero padding. */
    static byte[] packet(long value, int op, int section) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(value).put((byte) op).put((byte) section);
        return b.array();
    }

    /**
     * Whether a trace_pipe line's task is {@code comm}: or "<...>", which trace_pipe shows when the
     * kernel's saved_cmdlines cache no longer has the pid's name (short-lived processes, busy systems).
     */
    static boolean isCommOf(String comm, dev.jbcc.trace.TraceEvent e) {
        return e.task().equals(comm) || e.task().equals("<...>");
    }
}
