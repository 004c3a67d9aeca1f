package dev.jbcc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./jbcc Script.java args}: a single-file Java program run with jbcc on its class path. */
class ScriptLauncherIT {
    @TempDir
    Path temp;

    @Test
    void runsAJavaScriptAgainstTheBccApi() throws Exception {
        Path script = temp.resolve("Hello.java");
        Files.writeString(script, """
                import dev.jbcc.bcc.BPF;
                import dev.jbcc.bcc.HashTable;

                void main(String[] args) {
                    try (BPF b = BPF.fromText(\"""
                            BPF_HASH(counts, u32, u64);
                            int xdp_pass(struct xdp_md *ctx) { return XDP_PASS; }
                            \""")) {
                        HashTable counts = b.get("counts");
                        counts.put(1, Long.parseLong(args[0]));
                        System.out.println(b.loadFunc("xdp_pass", BPF.XDP).type() + " " + counts.get(1).value());
                    }
                }
                """);
        Process p = new ProcessBuilder(LauncherIT.LAUNCHER.toString(), script.toString(), "41")
                .directory(LauncherIT.REPO.toFile()).redirectError(temp.resolve("err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), Files.readString(temp.resolve("err")));
        assertEquals("XDP 41", out.strip());
    }
}
