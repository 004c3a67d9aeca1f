package dev.jbcc.bench.startup;

import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.dialect.BccCompiler;
import dev.jbcc.bcc.dialect.BccProgram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A bcc program from text to loaded and attached in a fresh JVM: {@code BPF.fromText}'s path,
 * timed in three parts (JVM start is not included):
 *
 * <pre>
 *   BccLoadTime PROG.c [OBJECT.o]
 * </pre>
 * prints {@code total_ms create_ms compile_ms load_ms cpu_ms cached}: {@code create} makes the
 * {@link BccCompiler} (clang discovery, the cache directory), {@code compile} is its compile
 * (on a cache hit: no clang), {@code load} is {@link BPF#load(BccProgram)} (maps, CO-RE against
 * the kernel's BTF, programs, auto-attach); {@code cpu} is the main thread's CPU time over the
 * whole path (from /proc/thread-self/schedstat), which a busy machine inflates less than the wall
 * time. The program is closed afterwards, untimed. With OBJECT.o the compiled object is written
 * there, for the C reference (libbpf loading the very same object).
 */
public final class BccLoadTime {
    private BccLoadTime() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        String text = Files.readString(file);
        long cpu0 = threadCpuNanos();
        long t0 = System.nanoTime();
        BccCompiler compiler = BccCompiler.create();
        long t1 = System.nanoTime();
        BccProgram program = compiler.compile(file.getFileName().toString(), text, List.of());
        long t2 = System.nanoTime();
        BPF bpf = BPF.load(program);
        long t3 = System.nanoTime();
        long cpu1 = threadCpuNanos();
        bpf.close();
        if (args.length > 1) Files.write(Path.of(args[1]), program.object().elf());
        System.out.printf("%.1f %.1f %.1f %.1f %.1f %s%n", (t3 - t0) / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6,
                (cpu1 - cpu0) / 1e6, program.object().cached());
    }

    /** This thread's time on a CPU, in ns: the first field of /proc/thread-self/schedstat. */
    static long threadCpuNanos() throws IOException {
        String s = Files.readString(Path.of("/proc/thread-self/schedstat"));
        return Long.parseLong(s.substring(0, s.indexOf(' ')));
    }
}
