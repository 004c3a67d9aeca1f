package dev.jbcc.testing;

/**
 * The JUnit tags that say which kernel a test needs. The root pom's {@code host.excluded.tags}
 * keeps the feature tags out of the host build; {@code scripts/vmtest} runs every test except
 * {@link #HOST_ONLY} on Debian's 6.1 kernel under QEMU. Constants, because {@code @Tag} needs them.
 */
public final class KernelTags {
    private KernelTags() {}

    /** Needs kprobes/kretprobes ({@link KernelFeature#KPROBES}); see {@link RequiresKprobes}. */
    public static final String KPROBES = "kprobes";
    /** Needs fentry/fexit ({@link KernelFeature#FENTRY}); see {@link RequiresFentry}. */
    public static final String FENTRY = "fentry";
    /** Needs the BPF LSM ({@link KernelFeature#LSM}); see {@link RequiresBpfLsm}. */
    public static final String LSM = "lsm";
    /** Needs something newer than the VM's 6.1 kernel; see {@link HostKernelOnly}. */
    public static final String HOST_ONLY = "host-only";
}
