// jbcc filetop: reads and writes counted per thread and file, from the syscall enter tracepoints
// (the file found from the descriptor). The tool prints and clears the table every interval.
// Defines: FILTER_PID (-1: any), ALL_FILES (else regular files only).
#include "fd_file.h"

// no padding anywhere: the whole key is hashed
struct key_t {
    u64 inode;
    u32 dev;
    u32 rdev;
    u32 tid;
    u32 name_len;
    u32 type;               // 'R' regular, 'S' socket, 'O' other
    u32 pad;
    char comm[TASK_COMM_LEN];
    char name[FILE_NAME_LEN];
};

BPF_HASH(counts, struct key_t, struct rw_counts, 10240);

static __always_inline int count(long fd, u64 size, bool read)
{
    u64 id = bpf_get_current_pid_tgid();
    if (FILTER_PID >= 0 && (id >> 32) != FILTER_PID)
        return 0;
    struct file_info file = {};
    if (!fd_file(fd, &file) || file.name_len == 0)
        return 0;
    u32 type = file.mode & MODE_TYPE;
    if (!ALL_FILES && type != MODE_REG)
        return 0;
    struct key_t key = {};
    key.inode = file.inode;
    key.dev = file.dev;
    key.rdev = file.rdev;
    key.tid = (u32)id;
    key.name_len = file.name_len;
    key.type = type == MODE_REG ? 'R' : type == MODE_SOCK ? 'S' : 'O';
    __builtin_memcpy(key.name, file.name, sizeof(key.name));
    bpf_get_current_comm(&key.comm, sizeof(key.comm));
    struct rw_counts zero = {};
    struct rw_counts *v = counts.lookup_or_try_init(&key, &zero);
    if (!v)
        return 0;
    count_rw(v, size, read);
    return 0;
}

TRACEPOINT_PROBE(syscalls, sys_enter_read) { return count(args->fd, args->count, true); }
TRACEPOINT_PROBE(syscalls, sys_enter_pread64) { return count(args->fd, args->count, true); }
TRACEPOINT_PROBE(syscalls, sys_enter_write) { return count(args->fd, args->count, false); }
TRACEPOINT_PROBE(syscalls, sys_enter_pwrite64) { return count(args->fd, args->count, false); }
