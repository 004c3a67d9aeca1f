package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jbcc run}, in-process: a bcc-dialect file attached by name, its output printed for -d seconds. */
class RunCommandTest {
    @TempDir
    Path temp;

    private record Result(int status, String out, String err) {}

    private Result run(String... args) {
        CommandLine cl = Main.commandLine();
        var out = new StringWriter();
        var err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    /** While it runs, bash forks (clone(2)) in a loop, so the tracepoint prints and the ring buffer fills. */
    @Test
    void printsTraceLinesAndRingRecordsUntilTheDurationEnds() throws Exception {
        Path prog = temp.resolve("forks.c");
        Files.writeString(prog, """
                struct fork_t {
                    u32 pid;
                    char comm[16];
                };
                BPF_RINGBUF_OUTPUT(forks, 8);

                TRACEPOINT_PROBE(syscalls, sys_enter_clone) {
                    struct fork_t f = {};
                    f.pid = bpf_get_current_pid_tgid() >> 32;
                    bpf_get_current_comm(&f.comm, sizeof(f.comm));
                    forks.ringbuf_output(&f, sizeof(f), 0);
                    bpf_trace_printk("clone from %d\\n", f.pid);
                    return 0;
                }
                """);
        AtomicBoolean stop = new AtomicBoolean();
        Thread forker = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try {
                    new ProcessBuilder("/bin/bash", "-c", "/bin/true; /bin/true").start().waitFor();
                    Thread.sleep(50);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        Result r;
        try {
            r = run("run", prog.toString(), "-d", "3");
        } finally {
            stop.set(true);
            forker.join();
        }
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("attached [tracepoint__syscalls__sys_enter_clone]"), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("bpf_trace_printk: clone from ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("forks: fork_t\\(pid=\\d+, comm=b'bash'\\)")), r.out());
    }

    @Test
    void aBadProgramGivesOneMessageWithTheLine() throws Exception {
        Path prog = temp.resolve("bad.c");
        Files.writeString(prog, """
                BPF_HASH(counts, u32, u64);
                int kprobe__do_nothing(void *ctx) {
                    counts.frobnicate(1);
                    return 0;
                }
                """);
        Result r = run("run", prog.toString(), "-d", "1");
        assertEquals(Main.EXIT_ERROR, r.status(), r.out());
        assertTrue(r.err().contains("bad.c:3"), r.err());
    }

    /** Without a function to attach nothing would ever run: an error at once, not a wait for Ctrl-C. */
    @Test
    void aProgramWithNothingToAttachIsAnError() throws Exception {
        Path prog = temp.resolve("idle.c");
        Files.writeString(prog, """
                BPF_HASH(counts, u32, u64);
                int count(void *ctx) {
                    u32 key = 0;
                    counts.increment(key);
                    return 0;
                }
                """);
        long start = System.nanoTime();
        Result r = run("run", prog.toString());
        assertEquals(Main.EXIT_ERROR, r.status(), r.err());
        assertTrue(r.err().startsWith("jbcc: " + prog + " has nothing to attach: "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(System.nanoTime() - start < 60_000_000_000L, "ended by itself");
    }

    /** bcc's debug flags in C's hex notation, as the help shows them. */
    @Test
    void debugFlagsTakeHex() throws Exception {
        Path prog = temp.resolve("exec.c");
        Files.writeString(prog, """
                TRACEPOINT_PROBE(sched, sched_process_exec) {
                    return 0;
                }
                """);
        Result r = run("run", "--debug=0x8", prog.toString(), "-d", "0.2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("attached [tracepoint__sched__sched_process_exec]"), r.err());
    }
}
