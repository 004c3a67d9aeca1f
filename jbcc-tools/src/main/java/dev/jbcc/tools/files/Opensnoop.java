package dev.jbcc.tools.files;

import dev.jbcc.Collection;
import dev.jbcc.CollectionOptions;
import dev.jbcc.btf.Btf;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.features.Feature;
import dev.jbcc.link.TracepointLink;
import dev.jbcc.ringbuf.RingBufferReader;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Session;
import dev.jbcc.tools.Tool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code jbcc opensnoop}: bcc's opensnoop on jbcc. Every openat(2) as {@code PID COMM FD ERR PATH},
 * from a CO-RE program on the syscalls:sys_enter_openat/sys_exit_openat tracepoints and a ring
 * buffer. The header line is printed only once both tracepoints are attached, so a caller can take
 * it as "tracing from here on".
 *
 * <p>The BPF program ships as C source and is compiled with clang at the first run; later runs
 * take the object from jbcc's compile cache ({@code ~/.cache/jbcc}) and start without clang.
 */
@Command(name = "opensnoop", mixinStandardHelpOptions = true, description = {
        "Trace open() calls until Ctrl-C or -d SECS: PID, command, file descriptor, errno and path of each.",
        "bcc's opensnoop, on jbcc: every openat(2) system-wide, from the syscalls tracepoints; FD is -1 and ERR the errno when the open failed."},
        footer = {"", "examples:",
                "    jbcc opensnoop                 # trace all open() calls",
                "    jbcc opensnoop -x              # only failed opens",
                "    jbcc opensnoop -p 181          # only PID 181",
                "    jbcc opensnoop -n main         # only processes whose name contains \"main\"",
                "    jbcc opensnoop -U -d 10        # with the UID column, for 10 seconds",
                "    jbcc opensnoop --json          # one JSON object per open"})
public final class Opensnoop extends Tool {

    /** The program's source, a class path resource next to this class. */
    static final String PROGRAM = "opensnoop.bpf.c";
    private static final String KERNEL_BTF = "/sys/kernel/btf/vmlinux";

    // struct open_event in opensnoop.bpf.c, native byte order (the kernel's).
    private static final int PID = 0;
    private static final int UID = 4;
    private static final int RET = 8;
    private static final int COMM = 16;
    private static final int COMM_LEN = 16;
    private static final int PATH = 32;
    private static final int PATH_LEN = 256;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;

    @Option(names = {"-p", "--pid"}, paramLabel = "PID", description = "Trace this process only.")
    int pid;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECS", description = "Stop after this many seconds.")
    Double seconds;

    @Option(names = {"-x", "--failed"}, description = "Show failed opens only.")
    boolean failedOnly;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "Show processes whose name contains NAME only.")
    String name;

    @Option(names = {"-U", "--print-uid"}, description = "Print the UID column.")
    boolean printUid;

    /**
     * The options parsed without picocli, for the common case, or null for anything this simple
     * parser does not take (help, version, a bad or repeated value, an unknown option, a value
     * that starts with '-'): the caller then goes through picocli, which parses, reports and exits
     * as usual. picocli builds its model reflectively in the interpreter and its Java 5 classes
     * are verified by the old type-inferencing verifier at every start (the AOT cache cannot
     * pre-link them): ~40 ms of a warm start on this machine.
     */
    public static Opensnoop parseSimple(String[] args) {
        Opensnoop c = new Opensnoop();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String key = arg, value = null;
            if (arg.startsWith("--") && arg.indexOf('=') > 0) {
                key = arg.substring(0, arg.indexOf('='));
                value = arg.substring(arg.indexOf('=') + 1);
            }
            String option = switch (key) {
                case "-p", "--pid" -> "pid";
                case "-d", "--duration" -> "duration";
                case "-n", "--name" -> "name";
                case "-x", "--failed" -> "failed";
                case "-U", "--print-uid" -> "uid";
                default -> null;
            };
            if (option == null || !seen.add(option)) return null;
            boolean flag = option.equals("failed") || option.equals("uid");
            if (flag) {
                if (value != null) return null;
                if (option.equals("failed")) c.failedOnly = true;
                else c.printUid = true;
                continue;
            }
            if (value == null) {
                if (++i == args.length) return null;
                value = args[i];
            }
            if (value.isEmpty() || value.startsWith("-")) return null;
            switch (option) {
                case "pid" -> {
                    if (!value.matches("[0-9]{1,9}")) return null;
                    c.pid = Integer.parseInt(value);
                }
                case "duration" -> {
                    if (!value.matches("[0-9]{1,9}(\\.[0-9]{1,9})?")) return null;
                    c.seconds = Double.parseDouble(value);
                    if (!(c.seconds > 0)) return null;
                }
                default -> c.name = value;
            }
        }
        return c;
    }

    private static final Columns COLUMNS = Columns.of("%-6d %-16s %4d %3d %s", "PID", "COMM", "FD", "ERR", "PATH");
    private static final Columns WITH_UID = COLUMNS.prepend("%-6d ", "UID");

    @Override
    protected void run(Session s) {
        if (pid < 0) throw usage("-p PID must be positive, not " + pid);
        if (seconds != null && !(seconds > 0)) throw usage("-d SECS must be positive, not " + seconds);
        trace(s);
    }

    /** Traces until Ctrl-C or the duration; the options are valid. */
    private void trace(Session s) {
        PrintWriter out = s.out();
        byte[] elf = ClangCompiler.create().compile(Source.of(PROGRAM, programSource()), java.util.List.of()).elf();
        // The kernel's BTF (~5 MB) is needed only while CO-RE relocates the programs: parsed here
        // rather than through Btf.kernel(), which keeps it for the life of the process.
        CollectionOptions options = CollectionOptions.defaults().withKernelBtf(Btf.parse(readKernelBtf()));
        CollectionSpec program = ObjectReader.read(elf, PROGRAM)
                .withVariable("target_tgid", pid)
                .withVariable("failed_only", failedOnly ? 1 : 0);

        // Ctrl-C ends the loop; the links detach and the output is flushed before the JVM exits.
        try (Collection objects = Collection.load(program, options);
             TracepointLink enter = TracepointLink.attach(objects.program("enter_openat"), "syscalls", "sys_enter_openat");
             TracepointLink exit = TracepointLink.attach(objects.program("exit_openat"), "syscalls", "sys_exit_openat");
             RingBufferReader reader = RingBufferReader.open(objects.map("events"), record -> print(s, record))) {
            s.header(printUid ? WITH_UID : COLUMNS);
            options = null;
            // Tracing from here on: give back the heap that loading used (the kernel BTF, the ELF);
            // with the launcher's heap free ratios a full collection also shrinks the heap.
            System.gc();
            long deadline = seconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (seconds * 1e9);
            // running() turns false on Ctrl-C and when standard output is closed (`jbcc opensnoop | head`)
            while (s.running()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                reader.poll(Duration.ofNanos(Math.min(left, 100_000_000L)));
                out.flush();
            }
            reader.consume();
        } finally {
            out.flush();
        }
    }

    private void print(Session s, MemorySegment e) {
        String comm = string(e, COMM, COMM_LEN);
        if (name != null && !comm.contains(name)) return;
        int ret = e.get(INT, RET);
        // bcc's columns: FD is the result or -1, ERR the errno or 0.
        int fd = ret >= 0 ? ret : -1;
        int err = ret >= 0 ? 0 : -ret;
        long pid = Integer.toUnsignedLong(e.get(INT, PID));
        String path = string(e, PATH, PATH_LEN);
        if (printUid) s.row(WITH_UID, Integer.toUnsignedLong(e.get(INT, UID)), pid, comm, fd, err, path);
        else s.row(COLUMNS, pid, comm, fd, err, path);
    }

    /** A NUL-terminated string in a fixed-size field. */
    private static String string(MemorySegment e, int offset, int max) {
        int n = 0;
        while (n < max && e.get(ValueLayout.JAVA_BYTE, offset + n) != 0) n++;
        byte[] bytes = new byte[n];
        MemorySegment.copy(e, ValueLayout.JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code /sys/kernel/btf/vmlinux} in one read of its size (sysfs reports it). */
    private static byte[] readKernelBtf() {
        try (RandomAccessFile in = new RandomAccessFile(KERNEL_BTF, "r")) {
            byte[] bytes = new byte[(int) in.length()];
            in.readFully(bytes);
            if (in.read() >= 0) return Files.readAllBytes(Path.of(KERNEL_BTF)); // sysfs under-reported the size
            return bytes;
        } catch (IOException e) {
            throw Feature.KERNEL_BTF.unsupported("cannot read " + KERNEL_BTF + " (" + e.getMessage()
                    + "); boot a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }
    }

    static String programSource() {
        try (InputStream in = Opensnoop.class.getResourceAsStream(PROGRAM)) {
            if (in == null) throw new IllegalStateException(PROGRAM + " is missing from jbcc's jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
