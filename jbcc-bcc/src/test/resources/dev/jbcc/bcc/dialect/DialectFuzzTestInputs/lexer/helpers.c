// bcc's helper functions from helpers.h: bpf_log2l for histogram slots, load_byte/half/word.
BPF_ARRAY(inputs, u64, 8);
BPF_ARRAY(slots, u32, 8);
BPF_ARRAY(loaded, u64, 3);

int log2_slots(struct __sk_buff *skb) {
    for (int i = 0; i < 8; i++) {
        int k = i;
        u64 *v = inputs.lookup(&k);
        if (!v)
            return 0;
        u32 slot = bpf_log2l(*v);
        slots.update(&k, &slot);
    }
    return 0;
}

int packet_loads(struct __sk_buff *skb) {
    int k = 0;
    u64 v = load_byte(skb, 0);
    loaded.update(&k, &v);
    k = 1;
    v = load_half(skb, 0);
    loaded.update(&k, &v);
    k = 2;
    v = load_word(skb, 0);
    loaded.update(&k, &v);
    return 0;
}
