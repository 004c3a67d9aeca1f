import dev.jbcc.bcc.StopSignal;

import java.time.Duration;

// Sleeps in one-second steps until Ctrl-C or SIGTERM, then cleans up slowly: the JVM must wait.
void main() throws Exception {
    try (StopSignal stop = StopSignal.trap()) {
        System.out.println("ready");
        System.out.flush();
        int steps = 0;
        while (stop.sleep(Duration.ofSeconds(1))) steps++;
        Thread.sleep(500);
        System.out.println("cleaned up after " + steps + " steps, signal " + stop.received());
        System.out.flush();
    }
}
