// New processes, like bcc's execsnoop, sent through a BPF ring buffer: each execve() is reported
// with its PID, parent PID, the caller's name and the file it runs (a record reserved in the ring,
// filled in place and submitted); an execve that fails is reported again with its error (a copy
// of a stack struct, ringbuf_output). Records are decoded with event(data) as struct event_t.
//
//   ./jbcc examples/ExecSnoopRingBuf.java [seconds]
//
// bcc counterparts: tools/execsnoop.py, examples/ringbuf/ringbuf_output.py and ringbuf_submit.py.
import dev.jbcc.bcc.BPF;
import dev.jbcc.bcc.RingBuf;
import dev.jbcc.bcc.StopSignal;
import dev.jbcc.bcc.Value;


static final String PROGRAM = """
        #include <linux/sched.h>

        enum event_type { EVENT_EXEC, EVENT_FAILED };

        struct event_t {
            enum event_type type;
            u32 pid;
            u32 ppid;
            int retval;
            char comm[TASK_COMM_LEN];
            char filename[128];
        };

        BPF_RINGBUF_OUTPUT(events, 16);

        TRACEPOINT_PROBE(syscalls, sys_enter_execve) {
            struct event_t *e = events.ringbuf_reserve(sizeof(struct event_t));
            if (!e)
                return 0; // the ring is full: this one is lost
            struct task_struct *task = (struct task_struct *)bpf_get_current_task();
            e->type = EVENT_EXEC;
            e->pid = bpf_get_current_pid_tgid() >> 32;
            e->ppid = task->real_parent->tgid; // kernel memory: the front-end makes this a safe read
            e->retval = 0;
            bpf_get_current_comm(&e->comm, sizeof(e->comm));
            bpf_probe_read_user_str(&e->filename, sizeof(e->filename), args->filename);
            events.ringbuf_submit(e, 0);
            return 0;
        }

        TRACEPOINT_PROBE(syscalls, sys_exit_execve) {
            if (args->ret == 0)
                return 0; // a successful execve does not return
            struct task_struct *task = (struct task_struct *)bpf_get_current_task();
            struct event_t e = {};
            e.type = EVENT_FAILED;
            e.pid = bpf_get_current_pid_tgid() >> 32;
            e.ppid = task->real_parent->tgid;
            e.retval = args->ret;
            bpf_get_current_comm(&e.comm, sizeof(e.comm));
            events.ringbuf_output(&e, sizeof(e), 0);
            return 0;
        }
        """;

static final int EVENT_FAILED = 1;

void main(String[] args) throws InterruptedException {
    long deadline = args.length > 0 ? System.nanoTime() + Long.parseLong(args[0]) * 1_000_000_000L : Long.MAX_VALUE;
    // Ctrl-C ends the loop below, and the JVM waits until the BPF is closed.
    try (StopSignal stop = StopSignal.trap(); BPF b = BPF.fromText(PROGRAM)) {
        RingBuf events = b.get("events");
        events.openRingBuffer((data, size) -> {
            Value e = events.event(data);
            if (e.getLong("type") == EVENT_FAILED) {
                System.out.printf("%-7d %-7d %-16s execve failed: %d%n", e.getLong("pid"), e.getLong("ppid"),
                        e.getString("comm"), e.getLong("retval"));
            } else {
                System.out.printf("%-7d %-7d %-16s %s%n", e.getLong("pid"), e.getLong("ppid"), e.getString("comm"),
                        e.getString("filename"));
            }
        });
        System.out.println("Tracing execve()... Hit Ctrl-C to end.");
        System.out.printf("%-7s %-7s %-16s %s%n", "PID", "PPID", "COMM", "FILENAME");
        while (!stop.received() && System.nanoTime() < deadline) {
            b.ringBufferPoll(200);
            System.out.flush();
        }
    }
}
