package dev.jbcc.tools;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;

import java.util.Optional;

/**
 * What tools ask of the running kernel's types (its BTF) when a member they read was renamed
 * between kernels: e.g. {@code cfs_rq.nr_running} became {@code nr_queued} in 6.14.
 */
public final class KernelTypes {
    private KernelTypes() {
    }

    /** Whether the kernel's {@code struct name} has a member {@code member}. */
    public static boolean hasMember(String struct, String member) {
        return Btf.kernel().find(struct, BtfType.Struct.class)
                .map(s -> s.members().stream().anyMatch(m -> m.name().equals(member))).orElse(false);
    }

    /** The first of {@code candidates} that the kernel's {@code struct name} has. */
    public static Optional<String> firstMember(String struct, String... candidates) {
        for (String c : candidates) if (hasMember(struct, c)) return Optional.of(c);
        return Optional.empty();
    }
}
