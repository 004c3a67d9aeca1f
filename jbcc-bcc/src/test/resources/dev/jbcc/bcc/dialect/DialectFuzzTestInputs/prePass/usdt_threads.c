/* HotSpot's thread__start and thread__stop (1 name pointer, 2 name length, 3 Java thread id,
 * 4 native id): counts thread names, read two ways. */
#include <uapi/linux/ptrace.h>

#define NAME_LEN 64

struct name_t {
    char text[NAME_LEN];
};

BPF_HASH(started, struct name_t, u64);
BPF_HASH(stopped, struct name_t, u64);
BPF_HASH(native_ids, struct name_t, u64);

int trace_thread_start(struct pt_regs *ctx) {
    struct name_t key = {};
    u64 addr = 0, tid = 0;
    long len = 0;

    bpf_usdt_readarg(1, ctx, &addr);
    bpf_usdt_readarg(2, ctx, &len);
    bpf_usdt_readarg(4, ctx, &tid);
    if (len < 0)
        return 0;
    if (len > NAME_LEN - 1)
        len = NAME_LEN - 1;
    bpf_probe_read_user(key.text, len & (NAME_LEN - 1), (void *)addr);
    started.increment(key);
    native_ids.update(&key, &tid);
    return 0;
}

int trace_thread_stop(struct pt_regs *ctx) {
    struct name_t key = {};
    char buf[NAME_LEN] = {};
    long len = 0;

    bpf_usdt_readarg_p(1, ctx, buf, sizeof(buf));
    bpf_usdt_readarg(2, ctx, &len);
    /* HotSpot's names are not NUL-terminated: keep the first len bytes only. */
    for (int i = 0; i < NAME_LEN - 1; i++) {
        if (i >= len)
            break;
        key.text[i] = buf[i];
    }
    stopped.increment(key);
    return 0;
}
