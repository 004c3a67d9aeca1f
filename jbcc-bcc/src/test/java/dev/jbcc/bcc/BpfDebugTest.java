package dev.jbcc.bcc;

import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bcc's debug flags: the verifier's log of each function that loads, printed to the debug output. */
@ExtendWith(FdLeakCheck.class)
class BpfDebugTest {
    static final String PROGRAM = """
            #include <uapi/linux/bpf.h>
            BPF_ARRAY(seen, u64, 4);
            int count_packets(struct xdp_md *ctx) {
                int key = (ctx->data_end - ctx->data) > 100 ? 1 : 0;
                seen.increment(key);
                return XDP_PASS;
            }
            """;
    static final Pattern PROCESSED = Pattern.compile("processed (\\d+) insns");

    /** Loads count_packets with {@code debug} and returns what went to the debug output. */
    static String debugOutput(int debug) {
        var bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             BPF b = BPF.builder().text("debug.c", PROGRAM).debug(debug).debugOutput(out).build()) {
            BpfFunction f = b.loadFunc("count_packets", BPF.XDP);
            assertEquals(BPF.XDP, f.type());
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void debugBpfPrintsTheVerifierLogOfALoadedFunction() {
        String log = debugOutput(BPF.DEBUG_BPF);
        Matcher m = PROCESSED.matcher(log);
        assertTrue(m.find(), "the verifier's summary line: " + log);
        assertTrue(Integer.parseInt(m.group(1)) > 5, log);
    }

    @Test
    void registerStateLogsEveryInstructionsRegistersAndNoFlagLogsNothing() {
        String level1 = debugOutput(BPF.DEBUG_BPF);
        String level2 = debugOutput(BPF.DEBUG_BPF_REGISTER_STATE);
        assertTrue(PROCESSED.matcher(level2).find(), level2);
        assertTrue(Pattern.compile("(?m)^0: \\(").matcher(level2).find(), "the first verified instruction: " + level2);
        assertTrue(level2.contains("ctx->data_end - ctx->data"), "source lines from BTF line info: " + level2);
        // Level 2 prints the register state at every instruction; level 1 at most at branches (6.x: only the summary).
        long states1 = level1.lines().filter(l -> l.matches("^\\d+: .*R\\d.*")).count();
        long states2 = level2.lines().filter(l -> l.matches("^\\d+: .*R\\d.*")).count();
        assertTrue(states2 > states1, "level 2 has more register states (" + states2 + ") than level 1 (" + states1 + ")");
        assertEquals("", debugOutput(0), "no debug flag, no output");
    }

    @Test
    void debugLlvmIrPrintsTheFunctionAsLlvmIr() {
        String ir = debugOutput(BPF.DEBUG_LLVM_IR);
        assertTrue(ir.contains("target triple = \"bpf"), ir.lines().limit(10).toList().toString());
        assertTrue(Pattern.compile("(?m)^define dso_local (noundef )?i32 @count_packets\\(").matcher(ir).find(),
                "the function's definition: " + ir.lines().filter(l -> l.startsWith("define")).toList());
        assertTrue(ir.contains("@seen"), "the table it uses");
    }
}
