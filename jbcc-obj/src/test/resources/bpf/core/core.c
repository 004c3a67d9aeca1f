// CO-RE test programs. SEC("syscall") programs run through BPF_PROG_TEST_RUN with a context the
// test lays out like the kernel's struct (offsets from the kernel's BTF), so relocated loads
// read real bytes. The local structs list fields in another order than the kernel and some with
// other sizes; the kernel's types are found by essential name (the ___l suffix is dropped).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define PAI __attribute__((preserve_access_index))
/* libbpf 1.1 has no field_signed(). */
#define field_signed(field) __builtin_preserve_field_info(field, BPF_FIELD_SIGNED)

struct sched_entity___l {
	unsigned long long vruntime;
} PAI;

struct task_struct___l {
	char comm[16];
	int tgid;
	int pid;
	long prio;                      /* kernel: int */
	unsigned long flags;            /* kernel: unsigned int */
	struct sched_entity___l se;
	int no_such_field_in_kernel;
	unsigned int in_iowait: 1;
} PAI;

/* Two flavours of the same kernel struct: the field was renamed in Linux 5.14. */
struct task_struct___old {
	long state;
} PAI;

struct task_struct___new {
	unsigned int __state;
} PAI;

/* The kernel has iter.depth as a signed 30-bit field in an anonymous union. */
struct bpf_reg_state___l {
	struct {
		int depth: 30;
	} iter;
} PAI;

struct list_head___good {
	struct list_head___good *next, *prev;
};

struct list_head___bad {
	int next;
};

struct no_such_type_in_kernel {
	int x;
};

typedef int pid_t;

enum bpf_func_id___l {
	BPF_FUNC_ringbuf_output___l = 1000,
	BPF_FUNC_no_such_helper = 1001,
};

enum bpf_map_type___l {
	BPF_MAP_TYPE_RINGBUF___l = 2000,
};

#define T(ctx) ((struct task_struct___l *)(ctx))

SEC("syscall") int read_pid(void *ctx) { return T(ctx)->pid; }
SEC("syscall") int read_tgid(void *ctx) { return T(ctx)->tgid; }
SEC("syscall") int read_flags_low(void *ctx) { return (unsigned int)T(ctx)->flags; }
SEC("syscall") int read_flags_high(void *ctx) { return (unsigned int)(T(ctx)->flags >> 32); }
SEC("syscall") int read_prio_low(void *ctx) { return (unsigned int)T(ctx)->prio; }
SEC("syscall") int read_prio_high(void *ctx) { return (unsigned int)(T(ctx)->prio >> 32); }
SEC("syscall") int read_comm3(void *ctx) { return T(ctx)->comm[3]; }
SEC("syscall") int read_vruntime(void *ctx) { return (unsigned int)T(ctx)->se.vruntime; }

SEC("syscall") int read_missing_guarded(void *ctx)
{
	if (bpf_core_field_exists(T(ctx)->no_such_field_in_kernel))
		return T(ctx)->no_such_field_in_kernel;
	return 4242;
}

SEC("syscall") int read_missing(void *ctx) { return T(ctx)->no_such_field_in_kernel; }

SEC("syscall") int read_state(void *ctx)
{
	if (bpf_core_field_exists(((struct task_struct___old *)ctx)->state))
		return ((struct task_struct___old *)ctx)->state;
	return ((struct task_struct___new *)ctx)->__state;
}

SEC("syscall") int read_in_iowait(void *ctx) { return BPF_CORE_READ_BITFIELD_PROBED(T(ctx), in_iowait); }

SEC("syscall") int read_depth(void *ctx)
{
	struct bpf_reg_state___l *r = ctx;
	return (int)BPF_CORE_READ_BITFIELD_PROBED(r, iter.depth);
}

SEC("syscall") int field_sizes(void *ctx)
{
	/* Packs four relocated sizes into one return value, a byte each. */
	return bpf_core_field_size(T(ctx)->flags)
	     | bpf_core_field_size(T(ctx)->prio) << 8
	     | bpf_core_field_size(T(ctx)->comm) << 16
	     | bpf_core_field_size(T(ctx)->se) << 24;
}

SEC("syscall") int field_flags(void *ctx)
{
	return bpf_core_field_exists(T(ctx)->pid)
	     | bpf_core_field_exists(T(ctx)->no_such_field_in_kernel) << 1
	     | field_signed(T(ctx)->prio) << 2
	     | field_signed(T(ctx)->flags) << 3
	     | bpf_core_field_exists(((struct task_struct___old *)ctx)->state) << 4
	     | bpf_core_field_exists(((struct task_struct___new *)ctx)->__state) << 5;
}

SEC("syscall") int pid_offset(void *ctx) { return bpf_core_field_offset(T(ctx)->pid); }

SEC("syscall") int type_flags(void *ctx)
{
	return bpf_core_type_exists(struct task_struct___l)
	     | bpf_core_type_exists(struct no_such_type_in_kernel) << 1
	     | bpf_core_type_matches(struct list_head___good) << 2
	     | bpf_core_type_matches(struct list_head___bad) << 3
	     | bpf_core_type_exists(struct list_head___bad) << 4
	     | bpf_core_type_exists(pid_t) << 5
	     | bpf_core_type_matches(struct no_such_type_in_kernel) << 6;
}

SEC("syscall") int task_size(void *ctx) { return bpf_core_type_size(struct task_struct___l); }
SEC("syscall") int pid_t_size(void *ctx) { return bpf_core_type_size(pid_t); }
SEC("syscall") int missing_type_size(void *ctx) { return bpf_core_type_size(struct no_such_type_in_kernel); }
SEC("syscall") int task_kernel_id(void *ctx) { return bpf_core_type_id_kernel(struct task_struct___l); }
SEC("syscall") int task_local_id(void *ctx) { return bpf_core_type_id_local(struct task_struct___l); }

SEC("syscall") int enum_values(void *ctx)
{
	return bpf_core_enum_value(enum bpf_func_id___l, BPF_FUNC_ringbuf_output___l)
	     | bpf_core_enum_value(enum bpf_map_type___l, BPF_MAP_TYPE_RINGBUF___l) << 16;
}

SEC("syscall") int enum_exists(void *ctx)
{
	return bpf_core_enum_value_exists(enum bpf_func_id___l, BPF_FUNC_ringbuf_output___l)
	     | bpf_core_enum_value_exists(enum bpf_func_id___l, BPF_FUNC_no_such_helper) << 1;
}

SEC("syscall") int enum_missing_value(void *ctx)
{
	return bpf_core_enum_value(enum bpf_func_id___l, BPF_FUNC_no_such_helper);
}

char LICENSE[] SEC("license") = "GPL";
