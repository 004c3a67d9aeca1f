package dev.jbcc.tools.cpu;

import dev.jbcc.tools.Runs;
import dev.jbcc.tools.ToolRun;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code profile --flamegraph} of a program that spends nine tenths of its time in one function,
 * opened in a real headless browser (Chromium, from scripts/deps): the page renders, and once its
 * script has laid the frames out, the frame with the most time of its own is that function.
 * Host only: a browser under QEMU's emulation would take minutes.
 */
@Tag("host-only")
class FlameGraphBrowserTest {
    private static final String SPINNER = """
            #include <time.h>
            static double now(void)
            {
                struct timespec t;
                clock_gettime(CLOCK_MONOTONIC, &t);
                return t.tv_sec + t.tv_nsec / 1e9;
            }
            __attribute__((noinline)) void jbcc_spin(double seconds)
            {
                volatile unsigned long x = 0;
                double end = now() + seconds;
                do {
                    for (int i = 0; i < 100000; i++)    /* the clock only now and then */
                        x++;
                } while (now() < end);
            }
            __attribute__((noinline)) void jbcc_hot(void) { jbcc_spin(0.09); }
            __attribute__((noinline)) void jbcc_cold(void) { jbcc_spin(0.01); }
            int main(void)
            {
                for (;;) {          /* until the test ends it */
                    jbcc_hot();
                    jbcc_cold();
                }
            }
            """;
    private static final Pattern FRAME = Pattern.compile(
            "<g class=\"f\"[^>]*data-d=\"(\\d+)\"[^>]*data-n=\"([^\"]*)\"[^>]*>.*?<rect x=\"([0-9.]+)\"[^>]*width=\"([0-9.]+)\"",
            Pattern.DOTALL);

    record Frame(int depth, String name, double x, double width) {}

    @TempDir
    Path temp;

    @Test
    void theHotFunctionIsTheLargestFrameOfTheRenderedGraph() throws Exception {
        Path source = Files.writeString(temp.resolve("spinner.c"), SPINNER);
        Path binary = temp.resolve("jbcc_spinner");
        Runs.sh("gcc", "-O1", "-fno-omit-frame-pointer", "-g", "-o", binary.toString(), source.toString());
        Path html = temp.resolve("profile.html");
        Process spinner = new ProcessBuilder(binary.toString()).start();
        try (ToolRun run = Runs.started("profile", "-U", "-F", "199", "-p", Long.toString(spinner.pid()),
                "--flamegraph", html.toString(), "3")) {
            assertEquals(0, run.await(Runs.READY), run.errors());
        } finally {
            spinner.destroyForcibly().waitFor();
        }
        assertTrue(Files.size(html) > 0, "profile wrote " + html);

        String dom = chromium("--dump-dom", html.toUri().toString());
        List<Frame> frames = new ArrayList<>();
        Matcher m = FRAME.matcher(dom);
        while (m.find()) {
            frames.add(new Frame(Integer.parseInt(m.group(1)), m.group(2), Double.parseDouble(m.group(3)),
                    Double.parseDouble(m.group(4))));
        }
        assertTrue(frames.size() >= 4, "the rendered page has the frames: " + dom.length() + " characters");
        Frame largest = null;
        double largestSelf = -1;
        for (Frame f : frames) {
            double self = f.width();
            for (Frame c : frames) {
                if (c.depth() == f.depth() + 1 && c.x() >= f.x() - 0.01 && c.x() + c.width() <= f.x() + f.width() + 0.01) {
                    self -= c.width();
                }
            }
            if (self > largestSelf) {
                largestSelf = self;
                largest = f;
            }
        }
        Frame root = frames.stream().filter(f -> f.depth() == 0).findFirst().orElseThrow();
        assertEquals("jbcc_spin", largest.name(), "the frame with the most time of its own: " + frames);
        Frame hot = frames.stream().filter(f -> f.name().equals("jbcc_hot")).findFirst().orElseThrow();
        Frame cold = frames.stream().filter(f -> f.name().equals("jbcc_cold")).findFirst().orElseThrow();
        assertTrue(hot.width() > 0.75 * root.width() && cold.width() < 0.25 * root.width(),
                "jbcc_hot has nine tenths of the time, jbcc_cold one tenth: " + hot + " " + cold + " of " + root);
        assertTrue(largest.depth() == hot.depth() + 1 && largest.x() >= hot.x() - 0.01
                && largest.x() + largest.width() <= hot.x() + hot.width() + 0.01, "the spin called by jbcc_hot: " + largest);

        Path png = temp.resolve("profile.png");
        chromium("--screenshot=" + png, "--window-size=1280,800", html.toUri().toString());
        byte[] image = Files.readAllBytes(png);
        assertTrue(image.length > 5000 && image[1] == 'P' && image[2] == 'N' && image[3] == 'G', "a rendered PNG, " + image.length + " bytes");
    }

    /** Runs headless Chromium on the page; its standard output. */
    private String chromium(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + temp.resolve("chromium-profile"), "--virtual-time-budget=3000"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not end");
        }
        assertEquals(0, p.exitValue(), "chromium " + args[0]);
        return out;
    }
}
