package dev.jbcc.features;

import dev.jbcc.errors.UnsupportedFeatureException;

import java.util.function.BooleanSupplier;

/**
 * jbcc's table of kernel features beyond the map and program types (those carry their first
 * kernel in {@code MapType}/{@code ProgramType}): each with what the user reads in an error, the
 * first kernel version that has it (null when only a build option decides), the build option it
 * also needs (or null), and the probe that asks the running kernel. {@code FeatureTableTest}
 * checks every entry against the running kernel, both ways.
 */
public enum Feature {
    MAP_FREEZE("BPF_MAP_FREEZE", "5.2", null, Features::haveMapFreeze),
    BATCH_OPS("batch map operations", "5.6", null, Features::haveBatchOps),
    BPF_LINK_PERF_EVENT("perf_event bpf_links (BPF_LINK_TYPE_PERF_EVENT)", "5.15", null, Features::haveBpfLinkPerfEvent),
    /** Cookies came with perf_event links: the same probe. */
    PERF_EVENT_COOKIE("bpf cookies on perf_event links", "5.15", null, Features::haveBpfLinkPerfEvent),
    KPROBE_MULTI("kprobe_multi links (BPF_TRACE_KPROBE_MULTI, CONFIG_FPROBE)", "5.18", "CONFIG_FPROBE",
            Features::haveKprobeMulti),
    KPROBES("kprobes (the kernel lacks CONFIG_KPROBES)", null, "CONFIG_KPROBES", Features::haveKprobes);

    private final String description;
    private final String minimumKernel;
    private final String buildOption;
    private final BooleanSupplier probe;

    Feature(String description, String minimumKernel, String buildOption, BooleanSupplier probe) {
        this.description = description;
        this.minimumKernel = minimumKernel;
        this.buildOption = buildOption;
        this.probe = probe;
    }

    /** What the feature is called in errors. */
    public String description() {
        return description;
    }

    /** The first kernel version that has it, or null when only a build option decides. */
    public String minimumKernel() {
        return minimumKernel;
    }

    /** The kernel build option it also needs, or null. */
    public String buildOption() {
        return buildOption;
    }

    /** Whether the running kernel has it (probed once where the probe is conclusive). */
    public boolean available() {
        return probe.getAsBoolean();
    }

    /** The error for a kernel without it, with what to do instead. */
    public UnsupportedFeatureException unsupported(String hint) {
        return new UnsupportedFeatureException(description, minimumKernel, hint);
    }

    /** @throws UnsupportedFeatureException naming the feature, its first kernel and {@code hint} */
    public void require(String hint) {
        if (!available()) throw unsupported(hint);
    }
}
