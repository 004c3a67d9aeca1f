// jbcc dirtop: reads and writes counted per watched directory (the highest one above the file,
// as bcc), with the bytes asked for. The tool prints and clears the table every interval. Two
// variants, the hook chosen:
// - HOOK_KPROBE: vfs_read and vfs_write, as bcc (every read and write through the VFS).
// - HOOK_TRACEPOINT: the read, pread64, write and pwrite64 system calls, the file found from the
//   descriptor.
// Defines: FILTER_PID (-1: any), DIR_INODES (a C array initializer of the directories' inode
// numbers), DIR_COUNT (how many).
#include "fd_file.h"
#define MAX_DEPTH 50

BPF_HASH(counts, u64, struct rw_counts, 64);   // a watched directory's inode number → its I/O

static __always_inline int count(struct file *file, u64 size, bool read)
{
    if (FILTER_PID >= 0 && (bpf_get_current_pid_tgid() >> 32) != FILTER_PID)
        return 0;
    if (!file)
        return 0;
    u64 dirs[DIR_COUNT] = DIR_INODES;
    u64 found = 0;
    struct dentry *de = NULL;
    bpf_probe_read_kernel(&de, sizeof(de), &file->f_path.dentry);
    for (int depth = 0; depth < MAX_DEPTH && de; depth++) {
        struct dentry *parent = NULL;
        bpf_probe_read_kernel(&parent, sizeof(parent), &de->d_parent);
        if (!parent || parent == de)
            break;      // the root is its own parent
        de = parent;
        struct inode *inode = NULL;
        unsigned long ino = 0;
        bpf_probe_read_kernel(&inode, sizeof(inode), &de->d_inode);
        if (inode)
            bpf_probe_read_kernel(&ino, sizeof(ino), &inode->i_ino);
        for (int i = 0; i < DIR_COUNT; i++) {
            if (ino == dirs[i])
                found = ino;
        }
    }
    if (!found)
        return 0;
    struct rw_counts zero = {};
    struct rw_counts *v = counts.lookup_or_try_init(&found, &zero);
    if (!v)
        return 0;
    count_rw(v, size, read);
    return 0;
}

#ifdef HOOK_KPROBE
int kprobe__vfs_read(struct pt_regs *ctx)
{
    return count((struct file *)PT_REGS_PARM1(ctx), PT_REGS_PARM3(ctx), true);
}

int kprobe__vfs_write(struct pt_regs *ctx)
{
    return count((struct file *)PT_REGS_PARM1(ctx), PT_REGS_PARM3(ctx), false);
}
#else
TRACEPOINT_PROBE(syscalls, sys_enter_read) { return count(file_of_fd(args->fd), args->count, true); }
TRACEPOINT_PROBE(syscalls, sys_enter_pread64) { return count(file_of_fd(args->fd), args->count, true); }
TRACEPOINT_PROBE(syscalls, sys_enter_write) { return count(file_of_fd(args->fd), args->count, false); }
TRACEPOINT_PROBE(syscalls, sys_enter_pwrite64) { return count(file_of_fd(args->fd), args->count, false); }
#endif
