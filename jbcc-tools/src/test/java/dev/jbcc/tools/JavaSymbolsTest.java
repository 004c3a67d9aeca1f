package dev.jbcc.tools;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The perf map's lines as frames, and which processes are JVMs (the real JVM's stacks: jvm.JavaFramesTest). */
class JavaSymbolsTest {
    @Test
    void perfMapLinesBecomeFramesByAddressRange() {
        var blobs = JavaSymbols.parse("""
                0x00007fca5ff21500 0x00000000000001c0 void Spin.spinHere()
                0x00007fca5f93fd60 0x00000000000194c8 Interpreter
                7fca5fec7100 460 java.lang.Object jdk.internal.misc.Unsafe.getReferenceVolatile(java.lang.Object, long)
                0x00007fca5f960000 0x0000000000000100 StubRoutines (1)
                not a blob line
                0x00007fca5f950000 0x0 empty
                """);
        assertEquals(4, blobs.size(), blobs.toString());
        List<String> names = blobs.values().stream().map(b -> JavaSymbols.frameName(b.name())).toList();
        assertEquals(List.of(JavaSymbols.INTERPRETED, "StubRoutines (1)",
                "jdk.internal.misc.Unsafe.getReferenceVolatile(java.lang.Object, long)", "Spin.spinHere()"), names);
        assertEquals(Optional.of("Spin.spinHere()"), JavaSymbols.lookup(blobs, 0x7fca5ff21500L));
        assertEquals(Optional.of("Spin.spinHere()"), JavaSymbols.lookup(blobs, 0x7fca5ff21500L + 0x1bf));
        assertEquals(Optional.empty(), JavaSymbols.lookup(blobs, 0x7fca5ff21500L + 0x1c0), "just past the blob");
        assertEquals(Optional.of(JavaSymbols.INTERPRETED), JavaSymbols.lookup(blobs, 0x7fca5f93fd60L + 0x1000));
        assertEquals(Optional.empty(), JavaSymbols.lookup(blobs, 0x1000), "below every blob");
    }

    @Test
    void onlyProcessesMappingLibjvmAreJvms() throws Exception {
        assertTrue(JavaSymbols.libjvm((int) ProcessHandle.current().pid()).isPresent(), "this JVM maps libjvm.so");
        assertTrue(JavaSymbols.of((int) ProcessHandle.current().pid(), false, line -> { }).isPresent());
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            assertTrue(JavaSymbols.libjvm((int) sleep.pid()).isEmpty(), "sleep(1) is no JVM");
        } finally {
            sleep.destroy();
            sleep.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(JavaSymbols.of(Integer.MAX_VALUE, true, line -> { }).isEmpty(), "no such process");
    }
}
