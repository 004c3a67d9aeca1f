package dev.jbcc.compile;

import dev.jbcc.errors.FileAccessException;
import dev.jbcc.errors.UnsupportedFeatureException;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfHeaderWriter;
import dev.jbcc.compile.internal.CompileCache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Where {@code #include "vmlinux.h"} comes from. jbcc has no kernel headers: it writes the
 * running kernel's types out of its BTF, once per kernel, into the compile cache.
 */
public final class KernelHeaders {
    /** The running kernel's BTF. */
    public static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");
    static final String HEADER = "vmlinux.h";

    private enum Kind { NONE, DIRECTORY, GENERATED }

    private final Kind kind;
    private final Path path;               // the user's directory, or the BTF file to generate from
    private final HeaderWriter writer;     // for GENERATED
    private volatile String identity;      // computed on first use

    private KernelHeaders(Kind kind, Path path, HeaderWriter writer) {
        this.kind = kind;
        this.path = path;
        this.writer = writer;
    }

    /** No vmlinux.h: for programs that declare the types they use themselves. */
    public static KernelHeaders none() {
        return new KernelHeaders(Kind.NONE, null, null);
    }

    /** A directory that already holds a vmlinux.h (or other headers) to put on the include path. */
    public static KernelHeaders directory(Path directory) {
        return new KernelHeaders(Kind.DIRECTORY, directory.toAbsolutePath().normalize(), null);
    }

    /** The running kernel's vmlinux.h, generated from {@link #KERNEL_BTF} on first use. */
    public static KernelHeaders runningKernel() {
        return new KernelHeaders(Kind.GENERATED, KERNEL_BTF, DEFAULT_WRITER);
    }

    /** A vmlinux.h generated from a raw BTF file, e.g. another kernel's {@code /sys/kernel/btf/vmlinux}. */
    public static KernelHeaders fromBtf(Path btfFile) {
        return fromBtf(btfFile, DEFAULT_WRITER);
    }

    /** A vmlinux.h made by a given writer; tests use it to watch generation. */
    static KernelHeaders fromBtf(Path btfFile, HeaderWriter writer) {
        Path file = btfFile.equals(KERNEL_BTF) ? KERNEL_BTF : btfFile.toAbsolutePath().normalize();
        return new KernelHeaders(Kind.GENERATED, file, Objects.requireNonNull(writer));
    }

    /**
     * The include directory to use, generating vmlinux.h into the cache if needed.
     *
     * @return the directory and the identity of its content for the cache key
     */
    Resolved resolve(CompileCache cache) {
        return switch (kind) {
            case NONE -> new Resolved(null, "none", false);
            case DIRECTORY -> new Resolved(path, "directory:" + path, false);
            case GENERATED -> {
                String id = identity();
                Path dir = cache.subdirectory("kernel", CompileCache.keyHex(id));
                Path header = dir.resolve(HEADER);
                // One generation per instance at a time; across processes the rename makes a
                // race harmless (both write the same text).
                synchronized (this) {
                    if (!Files.isRegularFile(header)) {
                        CompileCache.writeAtomically(header, out -> writer.write(path, out));
                    }
                }
                yield new Resolved(dir, id, true);
            }
        };
    }

    /**
     * @param directory      include directory, or null for none
     * @param identity       what the directory's content depends on
     * @param contentIsKeyed true when the identity fully determines the content, so the files
     *                       need not be checked one by one on every cache lookup
     */
    record Resolved(Path directory, String identity, boolean contentIsKeyed) {}

    private String identity() {
        String id = identity;
        if (id == null) {
            id = "btf:" + btfIdentity(path) + ";writer:" + writer.identity();
            identity = id;
        }
        return id;
    }

    /**
     * What the BTF's content depends on, cheaply. For the running kernel that is the kernel image's
     * GNU build ID (the BTF is a section of that image, so the build ID names it), read from
     * {@code /sys/kernel/notes} in microseconds, plus the BTF's size and the kernel release as a
     * guard against a build that reused an ID. Hashing the 5 MB BTF instead costs ~80 ms in a cold
     * JVM, on every compile; size + mtime would be cheap but sysfs stamps files with the boot time,
     * so it would regenerate vmlinux.h after every reboot. Any other file is hashed.
     */
    static String btfIdentity(Path btfFile) {
        try {
            if (btfFile.equals(KERNEL_BTF)) {
                String buildId = kernelBuildId();
                if (buildId != null) {
                    return "kernel-build-id:" + buildId + ",size:" + Files.size(btfFile)
                            + ",release:" + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip()
                            + ",version:" + Files.readString(Path.of("/proc/sys/kernel/version")).strip();
                }
            }
            try (InputStream in = Files.newInputStream(btfFile)) {
                return "sha256:" + CompileCache.sha256Hex(in);
            }
        } catch (IOException e) {
            if (e instanceof NoSuchFileException && btfFile.equals(KERNEL_BTF)) {
                throw new UnsupportedFeatureException("kernel BTF (" + KERNEL_BTF + ")", "5.4",
                        "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y");
            }
            throw FileAccessException.of("read the BTF file", btfFile, e);
        }
    }

    /** The GNU build ID note of the running kernel, as hex, or null if it has none. */
    static String kernelBuildId() throws IOException {
        byte[] notes;
        try {
            notes = Files.readAllBytes(Path.of("/sys/kernel/notes"));
        } catch (NoSuchFileException e) {
            return null;
        }
        // ELF notes in the kernel's (native) byte order: namesz, descsz, type, name, desc,
        // name and desc each padded to 4 bytes.
        ByteBuffer buf = ByteBuffer.wrap(notes).order(ByteOrder.nativeOrder());
        final int ntGnuBuildId = 3;
        while (buf.remaining() >= 12) {
            int nameSize = buf.getInt();
            int descSize = buf.getInt();
            int type = buf.getInt();
            int namePadded = (nameSize + 3) & ~3;
            int descPadded = (descSize + 3) & ~3;
            if (nameSize < 0 || descSize < 0 || namePadded + descPadded > buf.remaining()) return null;
            byte[] name = new byte[nameSize];
            buf.get(name).position(buf.position() + namePadded - nameSize);
            byte[] desc = new byte[descSize];
            buf.get(desc).position(buf.position() + descPadded - descSize);
            if (type == ntGnuBuildId && new String(name, StandardCharsets.US_ASCII).equals("GNU\0")) {
                return HexFormat.of().formatHex(desc);
            }
        }
        return null;
    }

    // ---- the BTF → C writer -----------------------------------------------------------------

    /** Writes a vmlinux.h for a raw BTF file; the seam to dev.jbcc.btf's header writer. */
    interface HeaderWriter {
        void write(Path btfFile, OutputStream out) throws IOException;

        /** Changes whenever the output for the same BTF could change, so stale headers are not reused. */
        String identity();
    }

    /** dev.jbcc.btf's writer: the running kernel's BTF parsed once per process, or a file's. */
    private static final HeaderWriter DEFAULT_WRITER = new HeaderWriter() {
        @Override
        public void write(Path btfFile, OutputStream out) throws IOException {
            Btf btf = btfFile.equals(KERNEL_BTF) ? Btf.kernel() : Btf.parse(readBtf(btfFile));
            var writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            new BtfHeaderWriter(btf).write(writer);
            writer.flush();
        }

        /**
         * The writer's bytecode: a jbcc build whose writer changed must not reuse headers an older
         * one wrote (versions alone do not tell snapshot builds apart).
         */
        @Override
        public String identity() {
            String id = writerIdentity;
            if (id == null) {
                try (InputStream in = BtfHeaderWriter.class.getResourceAsStream("BtfHeaderWriter.class")) {
                    if (in == null) throw new IllegalStateException("BtfHeaderWriter.class is not readable as a resource");
                    id = "BtfHeaderWriter:" + new CompileCache.KeyBuilder().add(in.readAllBytes()).hex();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                writerIdentity = id;
            }
            return id;
        }
    };

    private static volatile String writerIdentity;

    private static byte[] readBtf(Path btfFile) {
        try {
            return Files.readAllBytes(btfFile);
        } catch (IOException e) {
            throw FileAccessException.of("read the BTF file", btfFile, e);
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "KernelHeaders[none]";
            case DIRECTORY -> "KernelHeaders[directory " + path + "]";
            case GENERATED -> "KernelHeaders[vmlinux.h from " + path + "]";
        };
    }
}
