package dev.jbcc.features;

import dev.jbcc.compile.KernelHeaders;
import dev.jbcc.errors.UnsupportedFeatureException;

import java.util.function.BooleanSupplier;

/**
 * jbcc's table of kernel features beyond the map and program types (those carry their first
 * kernel in {@code MapType}/{@code ProgramType}): each with what the user reads in an error, the
 * first kernel version that has it (null when only a build option decides), the build option it
 * also needs (or null), and the probe that asks the running kernel (null where no cheap, reliable
 * probe exists; such entries only name the feature in errors). {@code FeatureTableTest} checks
 * every probed entry against the running kernel, both ways.
 */
public enum Feature {
    MAP_FREEZE("BPF_MAP_FREEZE", "5.2", null, Features::haveMapFreeze),
    BATCH_OPS("batch map operations", "5.6", null, Features::haveBatchOps),
    BPF_LINK_PERF_EVENT("perf_event bpf_links (BPF_LINK_TYPE_PERF_EVENT)", "5.15", null, Features::haveBpfLinkPerfEvent),
    /** Cookies came with perf_event links: the same probe. */
    PERF_EVENT_COOKIE("bpf cookies on perf_event links", "5.15", null, Features::haveBpfLinkPerfEvent),
    KPROBE_MULTI("kprobe_multi links (BPF_TRACE_KPROBE_MULTI, CONFIG_FPROBE)", "5.18", "CONFIG_FPROBE",
            Features::haveKprobeMulti),
    KPROBES("kprobes (the kernel lacks CONFIG_KPROBES)", null, "CONFIG_KPROBES", Features::haveKprobes),
    KPROBE_PMU("the kprobe PMU (" + Features.KPROBE_PMU_DIR + ")", "4.17", "CONFIG_KPROBES",
            () -> Features.havePmu(Features.KPROBE_PMU_DIR, "type")),
    KRETPROBE_PMU("kretprobes through the kprobe PMU", "4.17", "CONFIG_KPROBES",
            () -> Features.havePmu(Features.KPROBE_PMU_DIR, "format/retprobe")),
    UPROBE_PMU("the uprobe PMU (" + Features.UPROBE_PMU_DIR + ")", "4.17", "CONFIG_UPROBE_EVENTS",
            () -> Features.havePmu(Features.UPROBE_PMU_DIR, "type")),
    URETPROBE_PMU("uretprobes through the uprobe PMU", "4.17", "CONFIG_UPROBE_EVENTS",
            () -> Features.havePmu(Features.UPROBE_PMU_DIR, "format/retprobe")),
    UPROBE_REF_CTR("USDT semaphores managed by the kernel (uprobe ref_ctr_offset)", "4.20", "CONFIG_UPROBE_EVENTS",
            () -> Features.havePmu(Features.UPROBE_PMU_DIR, "format/ref_ctr_offset")),
    UPROBE_MULTI("uprobe_multi links (BPF_TRACE_UPROBE_MULTI)", "6.6", null, Features::haveUprobeMulti),
    TCX("tcx links (BPF_TCX_INGRESS, BPF_TCX_EGRESS)", "6.6", null, Features::haveTcx),
    /** Raw tracepoint links and tp_btf links took cookies in the same release. */
    RAW_TRACEPOINT_COOKIE("bpf cookies on raw tracepoints and tp_btf links", "6.10", null,
            Features::haveRawTracepointCookie),
    /** Not probed: a kernel before it ignores the cookie, so only a real fentry attachment could tell. */
    TRACING_COOKIE("bpf cookies on fentry/fexit/fmod_ret/lsm links", "5.19", null, null),
    /** Not probed: telling it apart needs an XDP program attached to a real device. */
    XDP_LINK("XDP bpf_links", "5.9", null, null),
    /** Not probed: telling it apart needs an XDP program attached to a real device. */
    XDP_FLAGS_REPLACE("netlink XDP_FLAGS_REPLACE", "5.7", null, null),
    SIGN_EXTENDING_LOADS("sign-extending loads (BPF_MEMSX, BPF ISA v4)", "6.6", null, Features::haveSignExtendingLoads),
    /** Not probed: it needs an iterator program, which needs the kernel's BTF id of bpf_iter_task. */
    TASK_ITER_FILTER("task iterators limited to one process or thread", "6.1", null, null),
    BPF_TRAMPOLINE("BPF trampolines (fentry/fexit/fmod_ret)", "5.5", "CONFIG_DEBUG_INFO_BTF",
            () -> Features.trampolines().available()),
    CGROUP_V2("cgroup v2", "4.5", null, Features::haveCgroupV2),
    KERNEL_BTF("kernel BTF (" + KernelHeaders.KERNEL_BTF + ")", "5.4", "CONFIG_DEBUG_INFO_BTF", Features::haveKernelBtf);

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

    /** Whether {@link #available} can ask the running kernel. */
    public boolean probed() {
        return probe != null;
    }

    /**
     * Whether the running kernel has it (probed once where the probe is conclusive).
     *
     * @throws IllegalStateException for an entry without a probe (see {@link #probed})
     */
    public boolean available() {
        if (probe == null) throw new IllegalStateException(this + " has no probe: only a failed attempt tells");
        return probe.getAsBoolean();
    }

    /** Whether the running kernel's version is at least {@link #minimumKernel} (true when there is none). */
    public boolean versionReached() {
        return minimumKernel == null || KernelVersion.current().compareTo(KernelVersion.parse(minimumKernel)) >= 0;
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
