package dev.jbcc.link;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Libc;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * One walk of an iterator ({@link IterLink#open()}): an fd whose reads run the program over the
 * next objects. Not thread-safe; close it when done.
 */
public final class Iter implements AutoCloseable {
    /** The kernel's seq_file produces at most a page per read; larger reads take several pages at once. */
    private static final int CHUNK = 64 * 1024;

    private final Fd fd;

    Iter(Fd fd) {
        this.fd = fd;
    }

    /** Reads to the end and returns the bytes the program wrote. */
    public byte[] readAllBytes() {
        var out = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(CHUNK);
            while (true) {
                long n = Libc.read(fd.raw(), buf, CHUNK);
                if (n == 0) break;
                if (n == -Errno.EINTR || n == -Errno.EAGAIN) continue;
                if (n < 0) {
                    throw new SyscallException("read(iterator)", (int) -n, n == -Errno.E2BIG
                            ? "one object's output exceeded the kernel's 8-page seq_file buffer" : null);
                }
                out.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
            }
        }
        return out.toByteArray();
    }

    /** Reads to the end and decodes the output as UTF-8. */
    public String read() {
        return new String(readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        fd.close();
    }
}
