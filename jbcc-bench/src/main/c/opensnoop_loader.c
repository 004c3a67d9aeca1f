// SPDX-License-Identifier: GPL-2.0
// The C reference for the start-up benchmark: loads jbcc's opensnoop BPF object (the very same
// opensnoop.bpf.c, compiled by clang) with libbpf, attaches both tracepoints, prints the header
// once attached, then prints `PID COMM FD ERR PATH` lines from the ring buffer as `jbcc opensnoop`
// does, until SIGINT/SIGTERM or -d SECS.
//
//   opensnoop_loader OBJECT.o [-d SECS]
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// struct open_event in opensnoop.bpf.c.
struct open_event {
	unsigned int pid;
	unsigned int uid;
	int ret;
	int flags;
	char comm[16];
	char path[256];
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	const struct open_event *e = data;
	if (size < sizeof(*e))
		return 0;
	int fd = e->ret >= 0 ? e->ret : -1;
	int err = e->ret >= 0 ? 0 : -e->ret;
	printf("%-6u %-16.16s %4d %3d %.256s\n", e->pid, e->comm, fd, err, e->path);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT.o [-d SECS]\n", argv[0]);
		return 2;
	}
	if (argc == 4 && strcmp(argv[2], "-d") == 0)
		seconds = atof(argv[3]);

	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "opening %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int status = 1;
	struct bpf_link *links[2] = {0};
	struct ring_buffer *rb = NULL;
	if (bpf_object__load(obj)) {
		fprintf(stderr, "loading %s: %s\n", argv[1], strerror(errno));
		goto out;
	}
	const char *progs[2] = {"enter_openat", "exit_openat"};
	for (int i = 0; i < 2; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, progs[i]);
		links[i] = p ? bpf_program__attach(p) : NULL;
		if (!links[i]) {
			fprintf(stderr, "attaching %s: %s\n", progs[i], strerror(errno));
			goto out;
		}
	}
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "events"), on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "ring buffer: %s\n", strerror(errno));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("%-6s %-16s %4s %3s %s\n", "PID", "COMM", "FD", "ERR", "PATH");
	fflush(stdout);
	double deadline = seconds > 0 ? now() + seconds : 0;
	while (!stopping && (deadline == 0 || now() < deadline)) {
		int n = ring_buffer__poll(rb, 100);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "polling: %s\n", strerror(-n));
			goto out;
		}
		fflush(stdout);
	}
	status = 0;
out:
	ring_buffer__free(rb);
	for (int i = 0; i < 2; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return status;
}
