package dev.jbcc.errors;

/** The running kernel lacks something the caller asked for. */
public final class UnsupportedFeatureException extends BpfException {
    private final String feature;
    private final String minimumKernel;

    /**
     * @param feature       what is missing, e.g. "BPF_MAP_TYPE_RINGBUF" or "kprobes (CONFIG_KPROBES)"
     * @param minimumKernel the first kernel version that has it, e.g. "5.8", or null if it is a
     *                      build option rather than a version
     * @param hint          what to do instead, or null
     */
    public UnsupportedFeatureException(String feature, String minimumKernel, String hint) {
        super(message(feature, minimumKernel, hint));
        this.feature = feature;
        this.minimumKernel = minimumKernel;
    }

    private static String message(String feature, String minimumKernel, String hint) {
        var sb = new StringBuilder(feature).append(" is not supported by this kernel");
        if (minimumKernel != null) sb.append(" (requires Linux ").append(minimumKernel).append(" or later)");
        if (hint != null) sb.append(": ").append(hint);
        return sb.toString();
    }

    public String feature() {
        return feature;
    }

    /** The first kernel version with the feature, or null when it depends on the build config. */
    public String minimumKernel() {
        return minimumKernel;
    }
}
