import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;

/**
 * A JVM the JVM tools' tests look into (Java 17 source: every JDK they target runs it). It says
 * "ready", then does what each line of standard input asks and answers one line:
 * "thread NAME" starts and joins a thread of that name (answer: its Java id); "gc" runs
 * System.gc(); "keep MB" allocates that much and keeps it until "gc" drops it; "load NAME" defines class NAME in a fresh class loader; "alloc N" makes N JbccBlob objects; "calls N" calls jbccCalled N times; "hot" calls a method until
 * the JIT has compiled it; "spin N" starts thread "jbcc-spin", which spins in jbccSpin for N seconds;
 * "quit" ends.
 */
public class Workload {
    static volatile long sink;
    static volatile Object last;
    static final java.util.List<byte[]> kept = new java.util.ArrayList<>();

    @SuppressWarnings("deprecation") // Thread.getId(): JDK 17 has no threadId()
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        System.out.println("ready");
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.split(" ", 2);
            switch (w[0]) {
                case "thread": {
                    Thread t = new Thread(() -> sink++, w[1]);
                    t.start();
                    t.join();
                    System.out.println("thread " + t.getId());
                    break;
                }
                case "keep": {
                    for (int i = 0; i < Integer.parseInt(w[1]) * 16; i++) kept.add(new byte[64 * 1024]);
                    System.out.println("keep");
                    break;
                }
                case "gc":
                    kept.clear();
                    System.gc();
                    System.out.println("gc");
                    break;
                case "load": {
                    byte[] bytes = emptyClass(w[1]);
                    Class<?> c = new ClassLoader(null) {
                        Class<?> define() {
                            return defineClass(w[1].replace('/', '.'), bytes, 0, bytes.length);
                        }
                    }.define();
                    System.out.println("load " + c.getName());
                    break;
                }
                case "hot": {
                    for (int i = 0; i < 2_000_000; i++) sink += jbccHotMethod(i);
                    System.out.println("hot");
                    break;
                }
                case "alloc": {
                    for (int i = 0; i < Integer.parseInt(w[1]); i++) last = new JbccBlob(i);
                    System.out.println("alloc");
                    break;
                }
                case "calls": {
                    for (int i = 0; i < Integer.parseInt(w[1]); i++) sink += jbccCalled(i);
                    System.out.println("calls");
                    break;
                }
                case "spin": {
                    long end = System.nanoTime() + Long.parseLong(w[1]) * 1_000_000_000L;
                    Thread t = new Thread(() -> jbccSpin(end), "jbcc-spin");
                    t.setDaemon(true);
                    t.start();
                    System.out.println("spin");
                    break;
                }
                case "quit":
                    return;
                default:
                    System.out.println("unknown " + line);
            }
            System.out.flush();
        }
    }

    static final class JbccBlob {
        final long value;

        JbccBlob(long value) {
            this.value = value;
        }
    }

    static long jbccCalled(int i) {
        return i + 1;
    }

    static void jbccSpin(long end) {
        long x = 0;
        while (System.nanoTime() < end) x = x * 31 + 7;
        sink = x;
    }

    static long jbccHotMethod(int i) {
        return (i * 31L) ^ (i >>> 3);
    }

    /** The class file of an empty public class (Java 8 format), built by hand. */
    static byte[] emptyClass(String internalName) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0xCAFEBABE);
        out.writeShort(0);
        out.writeShort(52);
        out.writeShort(5);                 // constant pool: 4 entries, from 1
        out.writeByte(1);
        out.writeUTF(internalName);        // #1 Utf8 name
        out.writeByte(7);
        out.writeShort(1);                 // #2 Class #1
        out.writeByte(1);
        out.writeUTF("java/lang/Object");  // #3
        out.writeByte(7);
        out.writeShort(3);                 // #4 Class #3
        out.writeShort(0x21);              // public super
        out.writeShort(2);
        out.writeShort(4);
        out.writeShort(0);                 // interfaces
        out.writeShort(0);                 // fields
        out.writeShort(0);                 // methods
        out.writeShort(0);                 // attributes
        return bytes.toByteArray();
    }
}
