package dev.jbcc.testing;

/** Heap allocation counts for tests that check a path allocates nothing per event. */
public final class Allocations {
    private Allocations() {}

    /**
     * Bytes the current thread has allocated on the heap so far (HotSpot's per-thread counter).
     * Reflective: the tests compile inside module dev.jbcc, which does not read jdk.management.
     */
    public static long allocatedBytes() {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(threads);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("HotSpot's com.sun.management.ThreadMXBean is needed to count allocations", e);
        }
    }
}
