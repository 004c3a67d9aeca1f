// jbcc netqtop: packets and bytes per queue of one network device, sending and receiving, by
// size range. The raw tracepoints hand over the sk_buff: its device (matched by name and network
// namespace, since names repeat across namespaces), queue and length.
// Defines: DEV_NAME (a string), NETNS (the namespace's inode number).
#define MAX_QUEUES 1024

struct qstat_t {
    u64 bytes;
    u64 packets;
    u64 by_size[5];     // [0, 64) [64, 512) [512, 2K) [2K, 16K) [16K, 64K and more)
};

BPF_ARRAY(tx, struct qstat_t, MAX_QUEUES);
BPF_ARRAY(rx, struct qstat_t, MAX_QUEUES);

static __always_inline int ours(struct net_device *dev)
{
    char name[IFNAMSIZ] = {};
    bpf_probe_read_kernel_str(name, sizeof(name), dev->name);
    char want[IFNAMSIZ] = DEV_NAME;
#pragma unroll
    for (int i = 0; i < IFNAMSIZ; i++) {
        if (name[i] != want[i])
            return 0;
        if (!name[i])
            break;
    }
    return dev->nd_net.net->ns.inum == NETNS;
}

static __always_inline void count(struct qstat_t *q, u32 len)
{
    if (!q)
        return;
    __sync_fetch_and_add(&q->bytes, len);
    __sync_fetch_and_add(&q->packets, 1);
    int range = len < 64 ? 0 : len < 512 ? 1 : len < 2048 ? 2 : len < 16384 ? 3 : 4;
    __sync_fetch_and_add(&q->by_size[range], 1);
}

RAW_TRACEPOINT_PROBE(net_dev_start_xmit)
{
    struct sk_buff *skb = (struct sk_buff *)ctx->args[0];
    struct net_device *dev = (struct net_device *)ctx->args[1];
    if (!ours(dev))
        return 0;
    u32 queue = skb->queue_mapping;
    count(tx.lookup(&queue), skb->len);
    return 0;
}

RAW_TRACEPOINT_PROBE(netif_receive_skb)
{
    struct sk_buff *skb = (struct sk_buff *)ctx->args[0];
    if (!ours(skb->dev))
        return 0;
    // a driver that records the receive queue stores queue + 1; 0 means none was recorded
    u32 queue = skb->queue_mapping;
    if (queue)
        queue--;
    count(rx.lookup(&queue), skb->len);
    return 0;
}
