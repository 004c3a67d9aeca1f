package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.jbcc.cli.CliTest.jbcc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jbcc gen skeleton}: the generator behind the Maven plugin, for other build tools. */
class GenCommandTest {
    @TempDir
    Path temp;

    @Test
    void writesTheSkeletonAndCopiesTheObjectWhereTheClassLoadsIt() throws IOException {
        Path src = temp.resolve("ring_demo.bpf.c");
        Files.writeString(src, CliTest.TYPES + """
                #include <bpf/bpf_helpers.h>
                struct sample { __u32 pid; char comm[16]; };
                struct { __uint(type, 27 /* RINGBUF */); __uint(max_entries, 4096); } samples SEC(".maps");
                struct sample *jbcc_record_samples __attribute__((unused, btf_decl_tag("jbcc.record:samples")));
                SEC("tracepoint/syscalls/sys_enter_getpid") int on_getpid(void *ctx) { return 0; }
                char LICENSE[] SEC("license") = "GPL";
                """);
        Path obj = temp.resolve("ring_demo.bpf.o");
        CliTest.Run compiled = jbcc("compile", src.toString(), "-o", obj.toString(), "--no-vmlinux");
        assertEquals(0, compiled.status(), compiled.err());

        CliTest.Run r = jbcc("gen", "skeleton", obj.toString(), "--package", "p.q", "--out", temp.resolve("java").toString(),
                "--resources", temp.resolve("res").toString());
        assertEquals(0, r.status(), r.err());
        String java = Files.readString(temp.resolve("java/p/q/RingDemo.java"));
        assertTrue(java.startsWith("package p.q;"), java);
        assertTrue(java.contains("public RingBufferReader samples(Consumer<? super Sample> events)"), java);
        assertTrue(java.contains("public dev.jbcc.link.TracepointLink attach()"), java);
        assertArrayEquals(Files.readAllBytes(obj), Files.readAllBytes(temp.resolve("res/p/q/ring_demo.bpf.o")));
    }

    @Test
    void aMissingObjectIsOneLine() {
        CliTest.Run r = jbcc("gen", "skeleton", temp.resolve("nope.o").toString(), "--package", "p", "--out", temp.toString());
        assertEquals(Main.EXIT_ERROR, r.status());
        assertEquals("jbcc: cannot read " + temp.resolve("nope.o") + ": no such file\n", r.err());
    }
}
