package dev.jbcc.bcc;

import dev.jbcc.errors.NotFoundException;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The patterns bcc's tools use that jbcc's dialect got wrong (issue 11), loaded and run on the
 * kernel: implicit kernel reads through a raw tracepoint's context, through pointers passed into
 * a static function, through a kernel member alias, and a program's own copy of a kernel struct.
 */
@ExtendWith(FdLeakCheck.class)
class BccToolPatternsTest {

    /**
     * runqlat/wakeuptime: (struct task_struct *)ctx->args[0] is a kernel pointer, ctx->args[1] as an index is not;
     * tcpdrop/tcptracer: kernel pointers passed into and returned from static functions; dcsnoop: a copy of a kernel struct.
     */
    @Test
    void rawTracepointContextPointersAreReadFromTheKernel() throws Exception {
        String text = """
                #include <linux/sched.h>
                /* from kernel/sched/sched.h: the kernel's BTF has it; the copy is dropped */
                struct rq { unsigned int nr_running; };
                BPF_HASH(execs, u32, u32);
                static u32 tgid_of(struct task_struct *t) { return t->tgid; }
                static struct task_struct *parent_of(struct task_struct *t) { return t->real_parent; }
                RAW_TRACEPOINT_PROBE(sched_process_exec) {
                    struct task_struct *p = (struct task_struct *)ctx->args[0];
                    u32 slots[4] = {};
                    u32 pid = tgid_of(p);
                    u32 parent = tgid_of(parent_of(p)) + slots[ctx->args[1] & 3];
                    execs.update(&pid, &parent);
                    return 0;
                }
                """;
        try (BPF b = BPF.fromText(text)) {
            Process p = new ProcessBuilder("true").start();
            long pid = p.pid();
            assertEquals(0, p.waitFor());
            HashTable execs = b.get("execs");
            Value parent = execs.get(execs.key(pid));
            assertTrue(parent != null, "the exec of pid " + pid + " was recorded through p->tgid");
            assertEquals(ProcessHandle.current().pid(), parent.value(), "its parent, read through a static function's kernel pointer");
        }
    }

    /** tcptracer/solisten: skp->sk_state and inet->inet_rcv_saddr, kernel member aliases, are read from the kernel. */
    @Test
    void memberAliasesThroughKernelPointersAreRead() throws Exception {
        String text = """
                BPF_HASH(states, u32, u32);
                TRACEPOINT_PROBE(sock, inet_sock_set_state) {
                    struct sock *sk = (struct sock *)args->skaddr;
                    struct inet_sock *inet = (struct inet_sock *)sk;
                    u32 state = sk->sk_state;
                    u32 port = inet->inet_num;
                    states.update(&port, &state);
                    return 0;
                }
                """;
        try (BPF b = BPF.fromText(text); var server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            HashTable states = b.get("states");
            assertTrue(states.get(states.key(server.getLocalPort())) != null,
                    "listening on port " + server.getLocalPort() + " was seen through inet->inet_num: " + states.items());
        }
    }

    /** compactsnoop on 6.18: a raw tracepoint whose arguments changed; the error says how many it has now. */
    @Test
    void readingPastARawTracepointsArgumentsNamesTheirCount() {
        String text = """
                BPF_ARRAY(seen, u64, 1);
                RAW_TRACEPOINT_PROBE(sys_enter) {
                    u32 zero = 0;
                    u64 sixth = ctx->args[5];
                    seen.update(&zero, &sixth);
                    return 0;
                }
                """;
        var e = assertThrows(NotFoundException.class, () -> BPF.fromText(text).close());
        assertTrue(e.getMessage().contains("sys_enter has 2 arguments"), e.getMessage());
    }
}
