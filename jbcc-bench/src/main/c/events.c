// C reference consumer for the ring-buffer and perf-buffer benchmarks: libbpf's ring_buffer or
// perf_buffer reading the producers of events.bpf.c. The Java harness (dev.jbcc.bench.events)
// runs this once per repetition, between its own runs, and measures itself the same way:
//
//   events OBJECT ring|perf burst|tp RECORD_SIZE COUNT BUFFER_BYTES CHUNK
//
// loads OBJECT with the ring (or each CPU's perf ring) sized BUFFER_BYTES, makes one warm-up run
// of COUNT/10 records and one measured run of COUNT, and prints for the measured run
//
//   delivered=N dropped=N elapsed_ns=N cpu_ns=N
//
// elapsed_ns runs from the producer's start to the consumer's last delivered batch; cpu_ns is the
// consumer thread's CPU time over its whole loop. The producer runs on its own thread: ring burst
// calls BPF_PROG_TEST_RUN with CHUNK records per call, perf burst calls getppid() once per CHUNK
// records; tp calls getpid() COUNT times, one record each. With EVENTS_PIN=CONSUMER,PRODUCER in the
// environment the consuming (main) thread and the producer thread pin themselves to those CPUs, as
// the Java side does.
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct burst_args {
    uint64_t first_seq;
    uint32_t count;
    uint32_t size;
};

static int use_ring, use_burst;
static uint32_t record_size, chunk;
static int prog_fd, stats_fd, config_fd;
static uint64_t delivered, checksum;
static _Atomic int64_t target;
static uint64_t run_count, next_seq;
/* Wall time of the last run's producer, from its start to its last record. */
static uint64_t produce_ns;

static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what, int err)
{
    fprintf(stderr, "events: %s: %s\n", what, strerror(err < 0 ? -err : err));
    exit(1);
}

static void set_array(int fd, uint32_t key, uint64_t value)
{
    if (bpf_map_update_elem(fd, &key, &value, BPF_ANY))
        die("map update", errno);
}

static uint64_t get_array(int fd, uint32_t key)
{
    uint64_t value;
    if (bpf_map_lookup_elem(fd, &key, &value))
        die("map lookup", errno);
    return value;
}

static int on_ring_record(void *ctx, void *data, size_t size)
{
    checksum += *(uint64_t *)data;
    delivered++;
    return 0;
}

static void on_perf_sample(void *ctx, int cpu, void *data, uint32_t size)
{
    checksum += *(uint64_t *)data;
    delivered++;
}

/* Pins the calling thread to CPU n of EVENTS_PIN=CONSUMER,PRODUCER (index 0 or 1); no-op without it. */
static void pin(int index)
{
    const char *pin = getenv("EVENTS_PIN");
    int cpus[2];
    if (!pin || !*pin)
        return;
    if (sscanf(pin, "%d,%d", &cpus[0], &cpus[1]) != 2)
        die("EVENTS_PIN is not CONSUMER,PRODUCER", EINVAL);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus[index], &set);
    if (sched_setaffinity(0, sizeof(set), &set))
        die("sched_setaffinity", errno);
}

static void *produce(void *unused)
{
    pin(1);
    uint64_t p0 = now_ns(CLOCK_MONOTONIC);
    if (use_burst && !use_ring) {
        /* burst_perf: each getppid() of this thread emits a chunk with bpf_loop */
        set_array(config_fd, 1, record_size);
        set_array(config_fd, 0, (uint64_t)syscall(SYS_gettid));
        uint64_t left = run_count, last = 0;
        while (left) {
            uint64_t n = left < chunk ? left : chunk;
            if (n != last)
                set_array(config_fd, 2, last = n);
            getppid();
            left -= n;
        }
        set_array(config_fd, 0, 0);
    } else if (use_burst) {
        uint64_t left = run_count;
        while (left) {
            struct burst_args args = { .first_seq = next_seq, .count = left < chunk ? left : chunk, .size = record_size };
            LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
            int err = bpf_prog_test_run_opts(prog_fd, &opts);
            if (err)
                die("BPF_PROG_TEST_RUN", errno);
            next_seq += args.count;
            left -= args.count;
        }
    } else {
        set_array(config_fd, 1, record_size);
        set_array(config_fd, 0, (uint64_t)syscall(SYS_gettid));
        for (uint64_t i = 0; i < run_count; i++)
            getpid();
        set_array(config_fd, 0, 0);
    }
    produce_ns = now_ns(CLOCK_MONOTONIC) - p0;
    atomic_store(&target, (int64_t)get_array(stats_fd, 1));
    return NULL;
}

/* One run: returns through the out parameters. */
static void run(void *consumer, uint64_t count, uint64_t *dropped, uint64_t *elapsed, uint64_t *cpu)
{
    set_array(stats_fd, 0, 0);
    set_array(stats_fd, 1, 0);
    delivered = 0;
    run_count = count;
    atomic_store(&target, -1);
    pthread_t producer;
    uint64_t cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    uint64_t start = now_ns(CLOCK_MONOTONIC), last = start;
    if (pthread_create(&producer, NULL, produce, NULL))
        die("pthread_create", errno);
    for (;;) {
        int n = use_ring ? ring_buffer__poll(consumer, 100) : perf_buffer__poll(consumer, 100);
        if (n < 0 && n != -EINTR)
            die("poll", n);
        if (n > 0)
            last = now_ns(CLOCK_MONOTONIC);
        int64_t t = atomic_load(&target);
        if (t >= 0 && delivered >= (uint64_t)t)
            break;
    }
    *cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    *elapsed = last - start;
    pthread_join(producer, NULL);
    *dropped = get_array(stats_fd, 0);
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: events OBJECT ring|perf burst|tp RECORD_SIZE COUNT BUFFER_BYTES CHUNK\n");
        return 2;
    }
    use_ring = strcmp(argv[2], "ring") == 0;
    use_burst = strcmp(argv[3], "burst") == 0;
    record_size = atoi(argv[4]);
    uint64_t count = strtoull(argv[5], NULL, 10);
    uint64_t buffer_bytes = strtoull(argv[6], NULL, 10);
    chunk = atoi(argv[7]);

    pin(0);
    libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj)
        die("open object", errno);
    if (bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "ring"), buffer_bytes))
        die("ring size", errno);
    const char *prog_name = use_ring ? (use_burst ? "burst_ring" : "tp_ring") : (use_burst ? "burst_perf" : "tp_perf");
    struct bpf_program *prog;
    bpf_object__for_each_program(prog, obj)
        bpf_program__set_autoload(prog, strcmp(bpf_program__name(prog), prog_name) == 0);
    int err = bpf_object__load(obj);
    if (err)
        die("load object", err);
    prog = bpf_object__find_program_by_name(obj, prog_name);
    prog_fd = bpf_program__fd(prog);
    stats_fd = bpf_object__find_map_fd_by_name(obj, "stats");
    config_fd = bpf_object__find_map_fd_by_name(obj, "config");

    void *consumer;
    if (use_ring)
        consumer = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "ring"), on_ring_record, NULL, NULL);
    else
        consumer = perf_buffer__new(bpf_object__find_map_fd_by_name(obj, "perf"), buffer_bytes / getpagesize(),
                                    on_perf_sample, NULL, NULL, NULL);
    if (!consumer)
        die("consumer", errno);
    struct bpf_link *link = NULL;
    if (!use_burst || !use_ring) {
        link = bpf_program__attach(prog);
        if (!link)
            die("attach", errno);
    }

    uint64_t dropped, elapsed, cpu;
    run(consumer, count / 10 ? count / 10 : 1, &dropped, &elapsed, &cpu);
    run(consumer, count, &dropped, &elapsed, &cpu);
    printf("delivered=%llu dropped=%llu elapsed_ns=%llu cpu_ns=%llu produce_ns=%llu\n", (unsigned long long)delivered,
           (unsigned long long)dropped, (unsigned long long)elapsed, (unsigned long long)cpu, (unsigned long long)produce_ns);
    fprintf(stderr, "checksum %llu\n", (unsigned long long)checksum);

    bpf_link__destroy(link);
    if (use_ring)
        ring_buffer__free(consumer);
    else
        perf_buffer__free(consumer);
    bpf_object__close(obj);
    return 0;
}
