package dev.jbcc.tools;

import dev.jbcc.errors.NotFoundException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * bcc's {@code --cgroupmap} and {@code --mntnsmap} options (a picocli mixin): trace only the tasks
 * whose cgroup, or mount namespace, is a key of a hash map pinned on the bpf file system (bcc's
 * layout: cgroup ids as u64 keys with u64 values; mount namespace inode numbers as u64 keys with
 * u32 values), which a container runtime or the user fills. The tool's C calls
 * {@code container_filtered()} where the current task is the one the event is about.
 */
public final class Containers {
    @Spec(Spec.Target.MIXEE)
    CommandSpec tool;

    @Option(names = "--cgroupmap", paramLabel = "CGROUPMAP", description = "Trace cgroups in this BPF map only (a pinned hash of cgroup ids).")
    Path cgroupMap;

    @Option(names = "--mntnsmap", paramLabel = "MNTNSMAP", description = "Trace mount namespaces in this BPF map only (a pinned hash of their ids).")
    Path mntnsMap;

    /**
     * C to put in front of the tool's own: the pinned maps given and {@code container_filtered()},
     * true when the current task is outside them (always false without the options).
     *
     * @throws ParameterException for a path C cannot quote
     * @throws NotFoundException when nothing is pinned at a path given
     */
    public String c() {
        StringBuilder c = new StringBuilder();
        if (cgroupMap != null) c.append("BPF_TABLE_PINNED(\"hash\", u64, u64, cgroupset, 1024, \"").append(pinned(cgroupMap)).append("\");\n");
        if (mntnsMap != null) c.append("BPF_TABLE_PINNED(\"hash\", u64, u32, mount_ns_set, 1024, \"").append(pinned(mntnsMap)).append("\");\n");
        c.append("static __always_inline int container_filtered(void)\n{\n");
        if (cgroupMap != null) {
            c.append("""
                        u64 cgroup = bpf_get_current_cgroup_id();
                        if (!cgroupset.lookup(&cgroup))
                            return 1;
                    """);
        }
        if (mntnsMap != null) {
            c.append("""
                        struct task_struct *task = (struct task_struct *)bpf_get_current_task();
                        struct nsproxy *nsproxy = NULL;
                        struct mnt_namespace *mnt = NULL;
                        u32 inum = 0;
                        bpf_probe_read_kernel(&nsproxy, sizeof(nsproxy), &task->nsproxy);
                        if (!nsproxy)
                            return 1;
                        bpf_probe_read_kernel(&mnt, sizeof(mnt), &nsproxy->mnt_ns);
                        if (!mnt)
                            return 1;
                        bpf_probe_read_kernel(&inum, sizeof(inum), &mnt->ns.inum);
                        u64 ns = inum;
                        if (!mount_ns_set.lookup(&ns))
                            return 1;
                    """);
        }
        return c.append("    return 0;\n}\n").toString();
    }

    private String pinned(Path path) {
        String text = path.toAbsolutePath().toString();
        if (text.matches(".*[\"\\\\\\n].*")) throw new ParameterException(tool.commandLine(), "the map path " + text + " has a quote, backslash or newline");
        if (!Files.exists(path)) throw new NotFoundException("no pinned map at " + text + " (pin a hash map there first, e.g. with bpftool map create)");
        return text;
    }
}
