// What the file tools share: the file behind a file descriptor of the current task, for tools that
// see reads and writes at their syscall tracepoints (where only the descriptor is known).
#define FILE_NAME_LEN 32    // the kernel's DNAME_INLINE_LEN: what bcc's tools show of a name
#define MODE_TYPE 0170000
#define MODE_REG 0100000
#define MODE_SOCK 0140000

struct file_info {
    u64 inode;
    u32 dev;
    u32 rdev;
    u32 mode;               // type and permissions
    u32 name_len;           // the whole name's; name holds its first FILE_NAME_LEN - 1 bytes
    char name[FILE_NAME_LEN];
};

// the file open at descriptor fd of the current task; NULL if there is none
static __always_inline struct file *file_of_fd(long fd)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct fdtable *fdt = task->files->fdt;
    if (fd < 0 || fd >= fdt->max_fds)
        return NULL;
    struct file **fds = fdt->fd;
    struct file *f = NULL;
    bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
    return f;
}

// what is known of the file open at descriptor fd; false if there is none
static __always_inline bool fd_file(long fd, struct file_info *info)
{
    struct file *f = file_of_fd(fd);
    if (!f)
        return false;
    struct dentry *de = NULL;
    struct inode *inode = NULL;
    bpf_probe_read_kernel(&de, sizeof(de), &f->f_path.dentry);
    bpf_probe_read_kernel(&inode, sizeof(inode), &f->f_inode);
    if (!de || !inode)
        return false;
    struct qstr name = {};
    bpf_probe_read_kernel(&name, sizeof(name), &de->d_name);
    umode_t mode = 0;
    bpf_probe_read_kernel(&mode, sizeof(mode), &inode->i_mode);
    unsigned long ino = 0;
    bpf_probe_read_kernel(&ino, sizeof(ino), &inode->i_ino);
    dev_t rdev = 0;
    bpf_probe_read_kernel(&rdev, sizeof(rdev), &inode->i_rdev);
    struct super_block *sb = NULL;
    bpf_probe_read_kernel(&sb, sizeof(sb), &inode->i_sb);
    dev_t dev = 0;
    if (sb)
        bpf_probe_read_kernel(&dev, sizeof(dev), &sb->s_dev);
    info->inode = ino;
    info->dev = dev;
    info->rdev = rdev;
    info->mode = mode;
    info->name_len = name.len;
    bpf_probe_read_kernel_str(&info->name, sizeof(info->name), name.name);
    return true;
}

// reads and writes counted, with the bytes asked for (the tools' summary values)
struct rw_counts {
    u64 reads;
    u64 writes;
    u64 rbytes;
    u64 wbytes;
};

static __always_inline void count_rw(struct rw_counts *v, u64 size, bool read)
{
    if (read) {
        __sync_fetch_and_add(&v->reads, 1);
        __sync_fetch_and_add(&v->rbytes, size);
    } else {
        __sync_fetch_and_add(&v->writes, 1);
        __sync_fetch_and_add(&v->wbytes, size);
    }
}
