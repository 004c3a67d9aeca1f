package dev.jbcc.tools.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sslsniff on tls.py (Python's ssl module on the system's OpenSSL) writing a marker of the test's own. */
class SslsniffTest {
    private static Path dir;

    @BeforeAll
    static void certificate() throws Exception {
        dir = Files.createTempDirectory("jbcc-sslsniff");
        Runs.sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=localhost", "-days", "1", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString());
        try (var in = SslsniffTest.class.getResourceAsStream("tls.py")) {
            Files.write(dir.resolve("tls.py"), in.readAllBytes());
        }
    }

    @AfterAll
    static void remove() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(dir);
    }

    /** Runs tls.py with {@code marker}; its pid. */
    private static long tls(String marker) throws Exception {
        Process p = new ProcessBuilder("python3", dir.resolve("tls.py").toString(), dir.resolve("cert.pem").toString(),
                dir.resolve("key.pem").toString(), marker).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("pong " + marker), out);
        return p.pid();
    }

    @Test
    void showsTheWrittenAndReadPlainText() throws Exception {
        String marker = "jbcc-" + UUID.randomUUID();
        try (ToolRun run = Runs.started("sslsniff", "-x", "-l")) {
            assertEquals("FUNC         TIME(s)            COMM             PID     LEN     UID     TID     LAT(ms)",
                    run.lines().getFirst().stripTrailing());
            long pid = tls(marker);
            // the client's read of the answer: its header line, then the data
            run.awaitLine(l -> l.startsWith("READ/RECV ") && l.contains(" " + ("pong " + marker).length() + " "), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no answer read: " + run.output() + run.errors()));
            assertEquals(0, run.stop(Runs.READY), run.errors());
            List<String> lines = run.lines();
            // the client's write and the server's read both carry the marker: take the write
            int data = -1;
            for (int i = 2; i < lines.size() && data < 0; i++) {
                if (lines.get(i).equals(marker) && lines.get(i - 2).startsWith("WRITE/SEND ")) data = i;
            }
            assertTrue(data >= 2, "the marker written: " + lines);
            assertEquals("----- DATA -----", lines.get(data - 1));
            assertEquals("----- END DATA -----", lines.get(data + 1));
            List<String> write = Runs.columns(lines.get(data - 2), 8);
            assertEquals("WRITE/SEND", write.get(0));
            assertEquals(pid, Long.parseLong(write.get(3)), lines.get(data - 2));
            assertEquals(marker.length(), Integer.parseInt(write.get(4)));
            int answer = -1;
            for (int i = 2; i < lines.size() && answer < 0; i++) {
                if (lines.get(i).equals("pong " + marker) && lines.get(i - 2).startsWith("READ/RECV ")) answer = i;
            }
            assertTrue(answer >= 2, "the answer read: " + lines);
            List<String> read = Runs.columns(lines.get(answer - 2), 8);
            assertEquals("READ/RECV", read.get(0));
            assertEquals(pid, Long.parseLong(read.get(3)));
            assertEquals(("pong " + marker).length(), Integer.parseInt(read.get(4)));
        }
    }

    @Test
    void jsonWithHexdumpATruncatedBufferAndTheLibraryByPath() throws Exception {
        String marker = "jbcc-" + UUID.randomUUID();
        try (ToolRun run = Runs.started("sslsniff", "--json", "--hexdump", "--max-buffer-size", "8", "-o", "-g", "-n",
                "--extra-lib", "openssl:" + dev.jbcc.symbols.Libraries.resolve("ssl", -1))) {
            long pid = tls(marker);
            JsonNode e = Runs.json(run.awaitLine(l -> l.contains("\"pid\":" + pid + ",") && l.contains("WRITE/SEND")
                            && l.contains("\"len\":" + marker.length() + ","), Runs.EVENT)
                    .orElseThrow(() -> new AssertionError("no write by " + pid + ": " + run.output() + run.errors())));
            assertEquals(marker.length(), e.get("len").asInt());
            assertEquals(java.util.HexFormat.of().formatHex(marker.substring(0, 8).getBytes(StandardCharsets.UTF_8)), e.get("data").asText());
            assertEquals(marker.length() - 8, e.get("lost").asInt());
        }
    }

    @Test
    void anExtraLibraryOfAnUnknownTypeIsAUsageError() throws Exception {
        ToolRun run = ToolRun.start("sslsniff", "--extra-lib", "boringssl:/nowhere/libssl.so");
        assertEquals(2, run.await(Runs.READY));
        assertTrue(run.errors().contains("--extra-lib boringssl:/nowhere/libssl.so is not TYPE:PATH"), run.errors());
    }
}
