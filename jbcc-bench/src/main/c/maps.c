// C reference for the map benchmark (scripts/bench.d/30-maps): libbpf's bpf_map_* wrappers on a
// hash and an array map of ENTRIES u32 -> u64, timed with clock_gettime exactly as
// dev.jbcc.bench.maps.MapBench times jbcc:
//
//   maps ENTRIES ROUNDS
//
// Each operation first runs one untimed pass over every key, then ROUNDS timed passes; each pass
// is ns per operation (per entry for iteration and batch lookup), and the median of the rounds is
// printed as `hash.lookup 123.4`. Delete is timed on the hash map only (array elements cannot be
// deleted); the keys are put back, untimed, after each pass.
#include <bpf/bpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t entries;
static int rounds;
static uint32_t *batch_keys;
static uint64_t *batch_values;
static volatile uint64_t sink;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "maps: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void fill(int fd)
{
    for (uint32_t k = 0; k < entries; k++) {
        uint64_t v = k * 3ull;
        if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
            die("fill");
    }
}

/* One pass of an operation; returns how many operations (or entries) it made. */
static uint64_t pass(int fd, const char *op)
{
    uint64_t v, sum = 0, n = 0;
    if (!strcmp(op, "lookup")) {
        for (uint32_t k = 0; k < entries; k++) {
            if (bpf_map_lookup_elem(fd, &k, &v))
                die("lookup");
            sum += v;
        }
        n = entries;
    } else if (!strcmp(op, "update")) {
        for (uint32_t k = 0; k < entries; k++) {
            v = k;
            if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
                die("update");
        }
        n = entries;
    } else if (!strcmp(op, "delete")) {
        for (uint32_t k = 0; k < entries; k++)
            if (bpf_map_delete_elem(fd, &k))
                die("delete");
        n = entries;
    } else if (!strcmp(op, "iterate")) {
        uint32_t key, next;
        int err = bpf_map_get_next_key(fd, NULL, &next);
        while (!err) {
            key = next;
            if (bpf_map_lookup_elem(fd, &key, &v))
                die("iterate lookup");
            sum += v;
            n++;
            err = bpf_map_get_next_key(fd, &key, &next);
        }
        if (errno != ENOENT)
            die("get_next_key");
    } else if (!strcmp(op, "batch")) {
        uint32_t in, out;
        void *in_batch = NULL;
        for (;;) {
            uint32_t count = entries;
            int err = bpf_map_lookup_batch(fd, in_batch, &out, batch_keys, batch_values, &count, NULL);
            n += count;
            if (err && errno != ENOENT)
                die("lookup_batch");
            for (uint32_t i = 0; i < count; i++)
                sum += batch_values[i];
            if (err)
                break;
            in = out;
            in_batch = &in;
        }
    }
    sink += sum;
    return n;
}

static void bench(int fd, const char *map, const char *op, int refill)
{
    double ns[64];
    pass(fd, op);
    if (refill)
        fill(fd);
    for (int r = 0; r < rounds; r++) {
        uint64_t start = now_ns();
        uint64_t n = pass(fd, op);
        ns[r] = (double)(now_ns() - start) / n;
        if (refill)
            fill(fd);
    }
    qsort(ns, rounds, sizeof(double), cmp);
    double median = rounds % 2 ? ns[rounds / 2] : (ns[rounds / 2 - 1] + ns[rounds / 2]) / 2;
    printf("%s.%s %.1f\n", map, op, median);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: maps ENTRIES ROUNDS\n");
        return 2;
    }
    entries = atoi(argv[1]);
    rounds = atoi(argv[2]);
    if (rounds < 1 || rounds > 64)
        rounds = 5;
    /* batch lookups read the whole map in one call where the kernel allows */
    batch_keys = calloc(entries, sizeof(*batch_keys));
    batch_values = calloc(entries, sizeof(*batch_values));

    int hash = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_hash", 4, 8, entries, NULL);
    int array = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bench_array", 4, 8, entries, NULL);
    if (hash < 0 || array < 0)
        die("map create");
    fill(hash);
    fill(array);
    const char *ops[] = {"lookup", "update", "delete", "iterate", "batch"};
    for (int i = 0; i < 5; i++) {
        bench(hash, "hash", ops[i], !strcmp(ops[i], "delete"));
        if (strcmp(ops[i], "delete"))
            bench(array, "array", ops[i], 0);
    }
    return 0;
}
