package dev.jbcc.bcc.dialect;

import dev.jbcc.KernelConfig;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.compile.Source;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel compatibility header (kernel_compat.h, KernelCompat) against the running kernel,
 * and the pre-pass honouring the preprocessor: each definition is compiled with clang against the
 * kernel's BTF and checked there with static assertions.
 */
class KernelCompatTest {
    private static BccCompiler compiler;

    @BeforeAll
    static void compiler() {
        compiler = BccCompiler.create();
    }

    @Test
    void sizesAreTheKernelsOwn() {
        Btf btf = Btf.kernel();
        // Where the kernel keeps a dentry's inline name: union shortname_store (6.14+) or d_iname[].
        String dnameField = btf.find("shortname_store", BtfType.Union.class).isPresent() ? "d_shortname.string" : "d_iname";
        String text = """
                _Static_assert(DNAME_INLINE_LEN == sizeof(((struct dentry *)0)->%s), "DNAME_INLINE_LEN");
                _Static_assert(DISK_NAME_LEN == sizeof(((struct gendisk *)0)->disk_name), "DISK_NAME_LEN");
                _Static_assert(REQ_OP_MASK >= REQ_OP_LAST - 1, "REQ_OP_MASK covers the block layer's operations");
                _Static_assert(NAME_MAX == 255 && SCM_RIGHTS == 1 && S_ISSOCK(S_IFSOCK) && !S_ISSOCK(S_IFREG), "constants");
                BPF_HASH(names, u32, struct { char name[DNAME_INLINE_LEN]; char disk[DISK_NAME_LEN]; });
                int kprobe__tcp_sendmsg(struct pt_regs *ctx, struct sock *sk, const char __user *buf) {
                    struct tcp_sock *ts = tcp_sk(sk);
                    struct inet_sock *inet = inet_sk(sk);
                    u32 key = min(ts->srtt_us >> 3, 100U) + min_t(u32, sk->sk_state, 12) + div_u64(inet->inet_dport, 2)
                            + inet->inet_daddr + inet->inet_rcv_saddr;
                    names.lookup(&key);
                    return 0;
                }
                """.formatted(dnameField);
        BccProgram p = compiler.compile(Source.of("compat.c", text), List.of());
        assertTrue(p.rewritten().contains("bpf_probe_read_kernel"), "reads through the kprobe's sock are kernel reads");
        assertTrue(p.table("names").leafType() != null);
    }

    @Test
    void memberAliasesNameSockCommonsFields() {
        String text = """
                _Static_assert(__builtin_offsetof(struct sock, sk_state) == __builtin_offsetof(struct sock, __sk_common.skc_state), "sk_state");
                _Static_assert(__builtin_offsetof(struct inet_sock, inet_daddr) == __builtin_offsetof(struct inet_sock, sk.__sk_common.skc_daddr), "inet_daddr");
                _Static_assert(__builtin_offsetof(struct inet_sock, inet_dport) == __builtin_offsetof(struct inet_sock, sk.__sk_common.skc_dport), "inet_dport");
                int kprobe__tcp_close(struct pt_regs *ctx) { return 0; }
                """;
        compiler.compile(Source.of("aliases.c", text), List.of());
    }

    @Test
    void configOptionsAreTheKernelsKconfig() {
        KernelConfig config = KernelConfig.current();
        assertTrue(config.isKnown(), "the kernel publishes no configuration (/proc/config.gz or /boot/config-*)");
        // Whatever the kernel says about BPF_SYSCALL (it has it: this test loads programs) and an option no kernel has.
        String text = """
                #if !defined(CONFIG_BPF_SYSCALL) || defined(CONFIG_JBCC_NO_SUCH_OPTION)
                #error "kconfig not honoured"
                #endif
                #ifdef CONFIG_BPF_SYSCALL
                BPF_ARRAY(configured, u64, 2);
                #else
                BPF_ARRAY(configured, u64, 3);
                #endif
                int kprobe__tcp_close(struct pt_regs *ctx) { return 0; }
                """;
        assertTrue(config.isEnabled("CONFIG_BPF_SYSCALL"));
        BccProgram p = compiler.compile(Source.of("kconfig.c", text), List.of());
        assertEquals(2, p.table("configured").maxEntries());
    }

    @Test
    void tablesUnderConditionalsFollowTheCflags() {
        String text = """
                #define FROM_TEXT 1
                #ifdef BIG
                BPF_HASH(counts, u32, u64, 1024);
                #elif FROM_TEXT
                BPF_HASH(counts, u32, u32, 16);
                #else
                BPF_HASH(counts, u64, u64, 8);
                #endif
                #if 0
                BPF_HASH(never, u32, u32);
                #endif
                int kprobe__tcp_close(struct pt_regs *ctx) { u32 k = 0; counts.lookup(&k); return 0; }
                """;
        BccProgram big = compiler.compile(Source.of("cond.c", text), List.of("-DBIG"));
        assertEquals(1024, big.table("counts").maxEntries());
        BccProgram small = compiler.compile(Source.of("cond.c", text), List.of());
        assertEquals(16, small.table("counts").maxEntries());
        assertTrue(small.tables().keySet().stream().noneMatch("never"::equals), "a table under #if 0 is no table: " + small.tables().keySet());
    }
}
