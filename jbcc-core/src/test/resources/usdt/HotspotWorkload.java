import java.io.BufferedReader;
import java.io.InputStreamReader;

/** Run by UsdtLinkTest in a child JVM: waits for a line, starts named threads, loads a class, runs a GC, prints "done", waits, exits. */
public class HotspotWorkload {
    static final class JbccMarkerClass {
        static int touch() { return 42; }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        in.readLine();
        for (int k = 0; k < 3; k++) {
            Thread t = new Thread(() -> {}, "jbcc-probe-thread-" + k);
            t.start();
            t.join();
        }
        if (JbccMarkerClass.touch() != 42) throw new AssertionError();
        System.gc();
        System.out.println("done");
        System.out.flush();
        in.readLine();
    }
}
