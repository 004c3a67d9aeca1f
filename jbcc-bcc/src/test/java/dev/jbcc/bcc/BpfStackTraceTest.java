package dev.jbcc.bcc;

import dev.jbcc.symbols.ResolvedAddress;
import dev.jbcc.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BPF_STACK_TRACE: kernel stacks of this process's syscalls, walked and symbolized from Java. */
@ExtendWith(FdLeakCheck.class)
class BpfStackTraceTest {
    private static final String PROGRAM = """
            BPF_STACK_TRACE(stacks, 1024);
            BPF_HASH(last, u32, int);

            RAW_TRACEPOINT_PROBE(sys_enter) {
                if ((bpf_get_current_pid_tgid() >> 32) != TARGET_TGID)
                    return 0;
                u32 zero = 0;
                int id = stacks.get_stackid(ctx, 0);
                if (id >= 0)
                    last.update(&zero, &id);
                return 0;
            }
            """;

    @Test
    void kernelStacksWalkAndSymbolize() throws Exception {
        try (BPF b = BPF.builder().text("stacks.c", PROGRAM).cflags("-DTARGET_TGID=" + ProcessHandle.current().pid()).build()) {
            assertEquals(1, b.numOpenTracepoints());
            Files.exists(Path.of("/proc/self/status")); // a syscall from this process
            HashTable last = b.get("last");
            Value id = last.get(0);
            assertNotNull(id, "the raw tracepoint saw this process's syscalls");
            StackTrace stacks = b.get("stacks");
            List<Long> ips = stacks.walk((int) id.value());
            assertFalse(ips.isEmpty());
            List<String> names = stacks.walk((int) id.value(), BPF::ksym);
            assertTrue(names.stream().noneMatch(n -> n.equals("[unknown]")), names.toString());
            // x86-64 enters syscalls through do_syscall_64, arm64 through el0_svc/invoke_syscall.
            assertTrue(names.stream().anyMatch(n -> n.contains("syscall") || n.contains("el0_svc")), names.toString());
            List<ResolvedAddress> frames = stacks.symbolize((int) id.value(), -1);
            assertEquals(ips.size(), frames.size());
            assertEquals(names.getFirst(), frames.getFirst().symbol());
            assertTrue(stacks.walk(-14).isEmpty(), "a negative id (get_stackid's -EFAULT) has no stack");
            assertTrue(BPF.ksym(ips.getFirst(), true, true).matches(".+\\+0x[0-9a-f]+ \\[.+]"), BPF.ksym(ips.getFirst(), true, true));
        }
    }
}
