// C reference for the kernel BTF benchmark (scripts/bench.d/60-btf): libbpf's btf__parse of
// /sys/kernel/btf/vmlinux, as dev.jbcc.bench.btf.BtfBench measures jbcc's Btf.
//
//   btf cold      one parse in this fresh process: parse_ns=N rss_growth_bytes=N types=N
//   btf warm N    N parses, each freed before the next; parse_ns is the median of the last half
#include <bpf/btf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *PATH = "/sys/kernel/btf/vmlinux";

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Resident set size from /proc/self/statm, in bytes. */
static long rss_bytes(void)
{
    long size, resident;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2) {
        perror("statm");
        exit(1);
    }
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static struct btf *parse(void)
{
    struct btf *btf = btf__parse(PATH, NULL);
    if (!btf) {
        fprintf(stderr, "btf: parse %s: %s\n", PATH, strerror(errno));
        exit(1);
    }
    return btf;
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "cold")) {
        long rss0 = rss_bytes();
        uint64_t start = now_ns();
        struct btf *btf = parse();
        uint64_t elapsed = now_ns() - start;
        long rss1 = rss_bytes();
        printf("parse_ns=%llu rss_growth_bytes=%ld types=%u\n", (unsigned long long)elapsed, rss1 - rss0,
               btf__type_cnt(btf));
        btf__free(btf);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "warm")) {
        int n = atoi(argv[2]);
        if (n < 2)
            n = 2;
        uint64_t *ns = calloc(n, sizeof(*ns));
        for (int i = 0; i < n; i++) {
            uint64_t start = now_ns();
            struct btf *btf = parse();
            ns[i] = now_ns() - start;
            btf__free(btf);
        }
        int half = n / 2;
        qsort(ns + half, n - half, sizeof(*ns), cmp);
        printf("parse_ns=%llu\n", (unsigned long long)ns[half + (n - half) / 2]);
        return 0;
    }
    fprintf(stderr, "usage: btf cold | btf warm N\n");
    return 2;
}
