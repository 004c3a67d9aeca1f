// SPDX-License-Identifier: GPL-2.0
// The C reference for a cached bcc program's load: libbpf opens a BPF object file, loads it
// (BTF, maps, programs) and attaches every program by its section name, timed from before the open
// to after the last attach, as jbcc's BccLoadTime times BPF.load. Prints the milliseconds.
//
//   obj_load OBJECT.o
#include <bpf/libbpf.h>
#include <stdio.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[64];
	int n = 0;
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJECT.o\n", argv[0]);
		return 2;
	}
	double t0 = now_ms();
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "obj_load: cannot open %s\n", argv[1]);
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "obj_load: cannot load %s\n", argv[1]);
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (n == 64)
			break;
		links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			fprintf(stderr, "obj_load: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
		n++;
	}
	double t1 = now_ms();
	printf("%.1f\n", t1 - t0);
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return 0;
}
