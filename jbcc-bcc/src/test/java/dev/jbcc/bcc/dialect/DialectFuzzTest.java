package dev.jbcc.bcc.dialect;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbcc.errors.CompileException;
import dev.jbcc.obj.testing.FuzzSeeds;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz targets for the bcc dialect's text stages: tracefs format files, the lexer and the pre-pass.
 * Each succeeds or throws CompileException (the dialect's error, with the user's line), and what it
 * produces is bounded by its input. Seeds: format files of this kernel and bcc programs.
 */
public class DialectFuzzTest {
    /** The format every TRACEPOINT_PROBE gets in the pre-pass target: one of each field kind. */
    static final String FORMAT = """
            name: demo
            ID: 1
            format:
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            \tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;
            \tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;
            \tfield:__data_loc char[] name;\toffset:32;\tsize:4;\tsigned:0;
            \tfield:u64 args[6];\toffset:40;\tsize:48;\tsigned:0;

            print fmt: "%s", REC->comm
            """;

    @FuzzTest
    void tracefsFormat(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        TracepointFormat f;
        try {
            f = TracepointFormat.parse("fuzz", "event", text);
        } catch (CompileException expected) {
            return;
        }
        assertTrue(f.fields().size() <= text.length() / 30 + 1, f.fields().size() + " fields from " + text.length() + " chars");
        String struct;
        try {
            struct = f.structDefinition();
        } catch (CompileException expected) {
            return;
        }
        // Each field's declaration, plus padding before it, is its own text with a few numbers.
        assertTrue(struct.length() <= 128 + 4L * text.length(), struct.length() + " chars of struct from " + text.length());
    }

    @FuzzTest
    void lexer(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Lexer lexer = Lexer.lex(text);
        assertTrue(lexer.tokens().size() <= text.length(), "more tokens than characters");
        int last = 0;
        for (Lexer.Token t : lexer.tokens()) {
            assertTrue(t.start() >= last && t.end() <= text.length() && t.start() < t.end(), "token out of place: " + t);
            last = t.end();
        }
    }

    @FuzzTest
    void prePass(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        PrePass.Result result;
        try {
            result = PrePass.run("fuzz.c", text, (category, event) -> TracepointFormat.parse(category, event, FORMAT), 4096,
                    Map.of("probe", 3));
        } catch (CompileException expected) {
            return;
        }
        // Macros and methods expand to a bounded amount of text each; TRACEPOINT_PROBE adds the format's struct.
        assertTrue(result.text().length() <= 4096 + 64L * text.length(),
                result.text().length() + " chars from " + text.length());
    }

    /** Writes the seeds: {@code args[0]} is the test resources directory. */
    public static void main(String[] args) throws IOException {
        Path root = FuzzSeeds.root(args);
        Path events = Path.of("/sys/kernel/tracing/events");
        for (String event : List.of("sched/sched_switch", "sched/sched_process_exec", "syscalls/sys_enter_openat",
                "net/netif_receive_skb")) {
            FuzzSeeds.write(root, DialectFuzzTest.class, "tracefsFormat", event.replace('/', '_'),
                    Files.readAllBytes(events.resolve(event).resolve("format")));
        }
        for (String program : List.of("tables.c", "helpers.c", "usdt_threads.c")) {
            byte[] text;
            try (InputStream in = DialectFuzzTest.class.getResourceAsStream("/bcc/" + program)) {
                text = in.readAllBytes();
            }
            String name = program.replace(".c", "");
            FuzzSeeds.write(root, DialectFuzzTest.class, "prePass", name, text);
            FuzzSeeds.write(root, DialectFuzzTest.class, "lexer", name, text);
        }
        byte[] tracepoint = """
                #include <uapi/linux/ptrace.h>
                BPF_PERF_OUTPUT(events);
                BPF_RINGBUF_OUTPUT(ring, 8);
                BPF_HASH(start, u32, u64, 1024);
                TRACEPOINT_PROBE(sched, sched_switch) {
                    u64 ts = bpf_ktime_get_ns();
                    start.update(&args->common_pid, &ts);
                    bpf_trace_printk("%s %d\\n", args->comm, args->common_pid);
                    events.perf_submit(args, &ts, sizeof(ts));
                    return 0;
                }
                int probe(struct pt_regs *ctx) {
                    long v = 0;
                    bpf_usdt_readarg(2, ctx, &v);
                    ring.ringbuf_output(&v, sizeof(v), 0);
                    return 0;
                }
                """.getBytes(StandardCharsets.UTF_8);
        FuzzSeeds.write(root, DialectFuzzTest.class, "prePass", "tracepoint_usdt", tracepoint);
        byte[] lexical = """
                #include "local.h"
                #  include <linux/sched.h>
                #define TWO(a, b) \\
                    ((a) ## (b))
                /* a comment with "quotes" and // inside */
                char *s = L"wide\\"" u8"utf8" 'c' '\\'';
                double d = 1.5e-3 + 0x1p+4 + .5f; // trailing \\
                   continued comment
                a->b.c ## d;
                """.getBytes(StandardCharsets.UTF_8);
        FuzzSeeds.write(root, DialectFuzzTest.class, "lexer", "lexical", lexical);
    }
}
