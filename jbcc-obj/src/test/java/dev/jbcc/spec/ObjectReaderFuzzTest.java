package dev.jbcc.spec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbcc.errors.FormatException;
import dev.jbcc.elf.ClangBpf;
import dev.jbcc.obj.testing.FuzzSeeds;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target: {@link ObjectReader#read(byte[])} on any bytes reads a spec or throws
 * FormatException, and what it reads is bounded by the object. Seeds: clang-compiled objects
 * (resources ObjectReaderFuzzTestInputs/, made by {@code dev.jbcc.obj.testing.FuzzSeeds}).
 */
public class ObjectReaderFuzzTest {
    /** Small programs that between them use what the reader understands. */
    public static final Map<String, String> SEEDS = Map.of(
            "xdp_minimal", MalformedObjectTest.PROGRAM,
            "maps_globals_calls", """
                    #include <linux/bpf.h>
                    #include <bpf/bpf_helpers.h>
                    struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, int); __type(value, long); } counts SEC(".maps");
                    struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, int); __type(value, int); } inner SEC(".maps");
                    struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); __type(key, int); __array(values, typeof(inner)); } outer SEC(".maps") = { .values = { &inner } };
                    int tail(void *ctx);
                    struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, int); __array(values, int (void *)); } jumps SEC(".maps") = { .values = { [1] = (void *)&tail } };
                    const volatile int factor = 3;
                    long total = 1;
                    int zeroed[4];
                    extern unsigned int CONFIG_HZ __kconfig __weak;
                    static __noinline long twice(long v) { return v * 2 + zeroed[1]; }
                    __noinline long global_helper(long v) { return twice(v) + factor; }
                    SEC("tp/syscalls/sys_enter_getpid") int count(void *ctx) {
                        int k = 0; long *v = bpf_map_lookup_elem(&counts, &k);
                        if (v) *v += global_helper(CONFIG_HZ);
                        total += twice(k);
                        bpf_tail_call(ctx, &jumps, 1);
                        return 0;
                    }
                    SEC("tp/syscalls/sys_enter_getpid") int tail(void *ctx) { return factor; }
                    char LICENSE[] SEC("license") = "GPL";
                    """,
            "core_relocations", """
                    #include <linux/bpf.h>
                    #include <bpf/bpf_helpers.h>
                    #include <bpf/bpf_core_read.h>
                    struct task_struct { int pid; struct task_struct *parent; } __attribute__((preserve_access_index));
                    SEC("raw_tp/sys_enter") int parent_pid(void *ctx) {
                        struct task_struct *t = (void *)bpf_get_current_task();
                        int pid = BPF_CORE_READ(t, parent, pid);
                        return bpf_core_field_exists(t->pid) ? pid : 0;
                    }
                    char LICENSE[] SEC("license") = "GPL";
                    """);

    /** Writes the seeds: {@code args[0]} is the test resources directory. */
    public static void main(String[] args) {
        Path root = FuzzSeeds.root(args);
        SEEDS.forEach((name, source) -> FuzzSeeds.write(root, ObjectReaderFuzzTest.class, "objectReader", name + ".o",
                ClangBpf.compile(source)));
    }

    @FuzzTest
    void objectReader(byte[] object) {
        CollectionSpec spec;
        try {
            spec = ObjectReader.read(object);
        } catch (FormatException expected) {
            return;
        }
        // Each program is its own code plus the .text functions it calls, each at most once.
        long slots = object.length / 8;
        assertTrue(spec.programs().size() <= slots, "more programs than instructions");
        for (ProgramSpec p : spec.programs().values()) {
            assertTrue(p.instructions().slotCount() <= slots, p.name() + " is longer than the object's code");
            assertTrue(p.lineInfos().size() <= object.length && p.coreRelocations().size() <= object.length,
                    p.name() + " has more .BTF.ext records than the object has bytes");
        }
        for (MapSpec m : spec.maps().values()) {
            for (MapSpec.Entry e : m.contents()) {
                if (e.value() instanceof byte[] value) {
                    // A .bss is zeroes the file does not hold, up to the reader's cap.
                    assertTrue(value.length <= Math.max(object.length, 64 << 20), m.name() + "'s contents are too large");
                }
            }
        }
    }
}
