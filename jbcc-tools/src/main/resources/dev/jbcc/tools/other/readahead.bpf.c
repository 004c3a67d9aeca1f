// jbcc readahead: how many pages read ahead into the page cache were never used, and how old the
// used ones were when first used (a log2 histogram of milliseconds).
// kprobe/fentry (bcc's way): while a thread is in page_cache_ra_unbounded or page_cache_ra_order,
// the folios it allocates (filemap_alloc_folio) are read ahead; folio_mark_accessed uses one.
// tracepoint (6.10+): page_cache_ra_unbounded/page_cache_ra_order name the file and the range of
// pages a thread reads ahead; mm_filemap_add_to_page_cache adds those pages; mm_filemap_get_pages
// (read) and mm_filemap_fault (mmap) use them. Pages are then known by (device, inode, index).
// Defines: MAX_PAGES_PER_READ (pages of one read looked at).

BPF_HISTOGRAM(dist);
BPF_ARRAY(pages, u64, 1);

#if defined(HOOK_KPROBE) || defined(HOOK_FENTRY)
BPF_HASH(in_ra, u32, u64, 10240);
BPF_HASH(birth, u64, u64, 65536);

static __always_inline int ra_enter(void)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    u64 zero = 0;
    u64 *depth = in_ra.lookup_or_try_init(&tid, &zero);
    if (depth)
        (*depth)++;
    return 0;
}

static __always_inline int ra_exit(void)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    u64 *depth = in_ra.lookup(&tid);
    if (depth && --(*depth) == 0)
        in_ra.delete(&tid);
    return 0;
}

static __always_inline int allocated(u64 folio)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    if (!folio || !in_ra.lookup(&tid))
        return 0;
    u64 ts = bpf_ktime_get_ns();
    birth.update(&folio, &ts);
    int zero = 0;
    u64 *n = pages.lookup(&zero);
    if (n)
        __sync_fetch_and_add(n, 1);
    return 0;
}

static __always_inline int accessed(u64 folio)
{
    u64 *ts = birth.lookup(&folio);
    if (!ts)
        return 0;
    dist.increment(bpf_log2l((bpf_ktime_get_ns() - *ts) / 1000000));
    birth.delete(&folio);
    int zero = 0;
    u64 *n = pages.lookup(&zero);
    if (n)
        __sync_fetch_and_add(n, -1);
    return 0;
}
#endif

#if defined(HOOK_KPROBE)
int kprobe__page_cache_ra_unbounded(struct pt_regs *ctx) { return ra_enter(); }
int kretprobe__page_cache_ra_unbounded(struct pt_regs *ctx) { return ra_exit(); }
int kprobe__page_cache_ra_order(struct pt_regs *ctx) { return ra_enter(); }
int kretprobe__page_cache_ra_order(struct pt_regs *ctx) { return ra_exit(); }
int kretprobe__filemap_alloc_folio(struct pt_regs *ctx) { return allocated(PT_REGS_RC(ctx)); }
int kprobe__folio_mark_accessed(struct pt_regs *ctx, struct folio *folio) { return accessed((u64)folio); }
#elif defined(HOOK_FENTRY)
KFUNC_PROBE(page_cache_ra_unbounded) { return ra_enter(); }
KRETFUNC_PROBE(page_cache_ra_unbounded) { return ra_exit(); }
KFUNC_PROBE(page_cache_ra_order) { return ra_enter(); }
KRETFUNC_PROBE(page_cache_ra_order) { return ra_exit(); }
KRETFUNC_PROBE(filemap_alloc_folio, gfp_t gfp, unsigned int order, struct folio *ret) { return allocated((u64)ret); }
KFUNC_PROBE(folio_mark_accessed, struct folio *folio) { return accessed((u64)folio); }
#else
// a page by file and index; all 64-bit, no padding to hash
struct page_t {
    u64 dev;
    u64 ino;
    u64 index;
};

struct range_t {
    u64 dev;
    u64 ino;
    u64 first;
    u64 end;
};

BPF_HASH(ra_range, u32, struct range_t, 10240);
BPF_HASH(birth, struct page_t, u64, 65536);

static __always_inline void reading_ahead(u64 dev, u64 ino, u64 first, u64 count)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct range_t r = {.dev = dev, .ino = ino, .first = first, .end = first + count};
    ra_range.update(&tid, &r);
}

TRACEPOINT_PROBE(readahead, page_cache_ra_unbounded)
{
    reading_ahead(args->s_dev, args->i_ino, args->index, args->nr_to_read);
    return 0;
}

TRACEPOINT_PROBE(readahead, page_cache_ra_order)
{
    reading_ahead(args->s_dev, args->i_ino, args->index, args->size);
    return 0;
}

TRACEPOINT_PROBE(filemap, mm_filemap_add_to_page_cache)
{
    u32 tid = (u32)bpf_get_current_pid_tgid();
    struct range_t *r = ra_range.lookup(&tid);
    if (!r || r->dev != args->s_dev || r->ino != args->i_ino || args->index < r->first || args->index >= r->end)
        return 0;
    struct page_t p = {.dev = args->s_dev, .ino = args->i_ino, .index = args->index};
    u64 ts = bpf_ktime_get_ns();
    birth.update(&p, &ts);
    int zero = 0;
    u64 *n = pages.lookup(&zero);
    if (n)
        __sync_fetch_and_add(n, 1);
    return 0;
}

static __always_inline void used(u64 dev, u64 ino, u64 index)
{
    struct page_t p = {.dev = dev, .ino = ino, .index = index};
    u64 *ts = birth.lookup(&p);
    if (!ts)
        return;
    dist.increment(bpf_log2l((bpf_ktime_get_ns() - *ts) / 1000000));
    birth.delete(&p);
    int zero = 0;
    u64 *n = pages.lookup(&zero);
    if (n)
        __sync_fetch_and_add(n, -1);
}

TRACEPOINT_PROBE(filemap, mm_filemap_get_pages)
{
    u64 first = args->index, last = args->last_index;
    for (int i = 0; i < MAX_PAGES_PER_READ; i++) {
        if (first + i > last)
            break;
        used(args->s_dev, args->i_ino, first + i);
    }
    return 0;
}

TRACEPOINT_PROBE(filemap, mm_filemap_fault)
{
    used(args->s_dev, args->i_ino, args->index);
    return 0;
}
#endif
