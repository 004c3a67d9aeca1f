import java.io.BufferedReader;
import java.io.InputStreamReader;

/** Run by BpfUsdtTest in a child JVM: waits for a line, starts and joins named threads, prints "done", waits, exits. */
public class UsdtWorkload {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        in.readLine();
        int count = Integer.parseInt(args[0]);
        for (int k = 0; k < count; k++) {
            Thread t = new Thread(() -> {}, "bcc-usdt-thread-" + k);
            t.start();
            t.join();
        }
        System.out.println("done");
        System.out.flush();
        in.readLine();
    }
}
