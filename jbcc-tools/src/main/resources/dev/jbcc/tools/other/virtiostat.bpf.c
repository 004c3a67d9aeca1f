// jbcc virtiostat: per virtqueue, the scatter-gather lists drivers add (out: to the device, in:
// from it) and their bytes, from kprobes (or fentry) on virtqueue_add_sgs, _add_outbuf, _add_inbuf
// and _add_inbuf_ctx. The bytes are summed over at most SG_STEPS entries per call, in one bounded
// loop that walks the lists one after the other (chained entries followed), small enough for the
// verifier of older kernels. Driver and device filters are applied when printing.

#define SG_STEPS 64
#define SG_CHAIN_BIT 0x01UL
#define SG_END_BIT 0x02UL

struct vq_stat {
    char driver[16];
    char dev[12];
    char vqname[12];
    u64 in_sgs;
    u64 out_sgs;
    u64 in_bw;
    u64 out_bw;
};

BPF_HASH(stats, u64, struct vq_stat, 1024);

// the bytes of lists [first, first + n) of sgs (an array of list heads); one list when sgs is null
static __always_inline u64 bytes(struct scatterlist **sgs, struct scatterlist *one, u32 first, u32 n)
{
    u64 total = 0;
    u32 list = 0;
    struct scatterlist *sg = one;
    if (sgs)
        bpf_probe_read_kernel(&sg, sizeof(sg), &sgs[first]);
    for (int step = 0; step < SG_STEPS && sg; step++) {
        u32 length = 0;
        unsigned long link = 0;
        bpf_probe_read_kernel(&length, sizeof(length), &sg->length);
        bpf_probe_read_kernel(&link, sizeof(link), &sg->page_link);
        total += length;
        if (!(link & SG_END_BIT)) {
            sg++;
            bpf_probe_read_kernel(&link, sizeof(link), &sg->page_link);
            if (link & SG_CHAIN_BIT)
                sg = (struct scatterlist *) (link & ~(SG_CHAIN_BIT | SG_END_BIT));
            continue;
        }
        // the end of this list: the next one, if any
        list++;
        sg = 0;
        if (sgs && list < n)
            bpf_probe_read_kernel(&sg, sizeof(sg), &sgs[first + list]);
    }
    return total;
}

static __always_inline int added(struct virtqueue *vq, struct scatterlist **sgs, struct scatterlist *one,
                                 u32 out_sgs, u32 in_sgs)
{
    u64 key = (u64) vq;
    u64 out_bw = out_sgs ? bytes(sgs, one, 0, out_sgs) : 0;
    u64 in_bw = in_sgs ? bytes(sgs, one, out_sgs, in_sgs) : 0;
    struct vq_stat *s = stats.lookup(&key);
    if (!s) {
        struct vq_stat fresh = {};
        bpf_probe_read_kernel_str(&fresh.driver, sizeof(fresh.driver), vq->vdev->dev.driver->name);
        bpf_probe_read_kernel_str(&fresh.dev, sizeof(fresh.dev), vq->vdev->dev.kobj.name);
        bpf_probe_read_kernel_str(&fresh.vqname, sizeof(fresh.vqname), vq->name);
        stats.update(&key, &fresh);
        s = stats.lookup(&key);
        if (!s)
            return 0;
    }
    __sync_fetch_and_add(&s->out_sgs, out_sgs);
    __sync_fetch_and_add(&s->in_sgs, in_sgs);
    __sync_fetch_and_add(&s->out_bw, out_bw);
    __sync_fetch_and_add(&s->in_bw, in_bw);
    return 0;
}

#if defined(HOOK_KPROBE)
int kprobe__virtqueue_add_sgs(struct pt_regs *ctx, struct virtqueue *vq, struct scatterlist **sgs,
                              unsigned int out_sgs, unsigned int in_sgs)
{
    return added(vq, sgs, 0, out_sgs, in_sgs);
}

int kprobe__virtqueue_add_outbuf(struct pt_regs *ctx, struct virtqueue *vq, struct scatterlist *sg)
{
    return added(vq, 0, sg, 1, 0);
}

int kprobe__virtqueue_add_inbuf(struct pt_regs *ctx, struct virtqueue *vq, struct scatterlist *sg)
{
    return added(vq, 0, sg, 0, 1);
}

int kprobe__virtqueue_add_inbuf_ctx(struct pt_regs *ctx, struct virtqueue *vq, struct scatterlist *sg)
{
    return added(vq, 0, sg, 0, 1);
}
#elif defined(HOOK_FENTRY)
KFUNC_PROBE(virtqueue_add_sgs, struct virtqueue *vq, struct scatterlist **sgs, unsigned int out_sgs, unsigned int in_sgs)
{
    return added(vq, sgs, 0, out_sgs, in_sgs);
}

KFUNC_PROBE(virtqueue_add_outbuf, struct virtqueue *vq, struct scatterlist *sg)
{
    return added(vq, 0, sg, 1, 0);
}

KFUNC_PROBE(virtqueue_add_inbuf, struct virtqueue *vq, struct scatterlist *sg)
{
    return added(vq, 0, sg, 0, 1);
}

KFUNC_PROBE(virtqueue_add_inbuf_ctx, struct virtqueue *vq, struct scatterlist *sg)
{
    return added(vq, 0, sg, 0, 1);
}
#endif
