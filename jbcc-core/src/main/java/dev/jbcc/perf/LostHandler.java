package dev.jbcc.perf;

/**
 * Told how many samples the kernel dropped on a CPU because its ring was full
 * (a PERF_RECORD_LOST record). The kernel writes that record when the ring has room again, just
 * before the next sample, so a count arrives after the samples that preceded the loss.
 */
@FunctionalInterface
public interface LostHandler {
    void onLost(int cpu, long count);
}
