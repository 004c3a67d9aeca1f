package dev.jbcc.link;

import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.BpfFlags;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how a {@link CgroupLink} attaches.
 *
 * @param cgroup     a cgroup v2 directory (e.g. {@code /sys/fs/cgroup/my.slice}); see {@link CgroupLink#cgroupV2Root()}
 * @param attachType the hook ({@code CGROUP_INET_EGRESS}, ...), or null for the program's own expected attach type
 * @param flags      for the {@code BPF_PROG_ATTACH} fallback only: {@link #ALLOW_MULTI} (the default; other
 *                   programs may attach too), {@link #ALLOW_OVERRIDE}, or 0 (exclusive)
 * @param method     how to attach: AUTO (a link where the kernel has cgroup links, else BPF_PROG_ATTACH)
 */
public record CgroupOptions(Path cgroup, AttachType attachType, int flags, Method method) {
    /** How a {@link CgroupLink} attaches. */
    public enum Method {
        /** A cgroup bpf_link (5.7+), else BPF_PROG_ATTACH. */
        AUTO,
        /** Only a cgroup bpf_link. */
        LINK,
        /** Only BPF_PROG_ATTACH (the program stays until detached, even if this process dies). */
        PROG_ATTACH
    }

    /** BPF_F_ALLOW_OVERRIDE: a program in a descendant cgroup replaces this one. */
    public static final int ALLOW_OVERRIDE = BpfFlags.BPF_F_ALLOW_OVERRIDE;
    /** BPF_F_ALLOW_MULTI: several programs on this cgroup and its ancestors all run. */
    public static final int ALLOW_MULTI = BpfFlags.BPF_F_ALLOW_MULTI;

    public CgroupOptions {
        Objects.requireNonNull(cgroup, "cgroup");
        Objects.requireNonNull(method, "method");
        if (flags != 0 && flags != ALLOW_OVERRIDE && flags != ALLOW_MULTI) {
            throw new IllegalArgumentException("flags are 0, ALLOW_OVERRIDE or ALLOW_MULTI, not " + flags);
        }
    }

    public static CgroupOptions of(Path cgroup) {
        return new CgroupOptions(cgroup, null, ALLOW_MULTI, Method.AUTO);
    }

    public CgroupOptions withAttachType(AttachType attachType) {
        return new CgroupOptions(cgroup, attachType, flags, method);
    }

    public CgroupOptions withMethod(Method method) {
        return new CgroupOptions(cgroup, attachType, flags, method);
    }

    public CgroupOptions withFlags(int flags) {
        return new CgroupOptions(cgroup, attachType, flags, method);
    }
}
