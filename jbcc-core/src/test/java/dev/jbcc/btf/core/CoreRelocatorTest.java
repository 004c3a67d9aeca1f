package dev.jbcc.btf.core;

import dev.jbcc.MapType;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfExt;
import dev.jbcc.btf.BtfType;
import dev.jbcc.btf.CoreReloKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jbcc.btf.CoreReloKind.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Resolves the relocations clang emits for {@code bpf/core/core.c} against this machine's kernel
 * BTF and checks each result against the kernel's layout looked up through the {@link Btf} API.
 */
class CoreRelocatorTest {
    static final String SECTION = "syscall";

    @TempDir
    static Path dir;

    static CoreObject object;
    static Btf kernel;
    /** Results by "KIND local-description"; a key may occur more than once (same value). */
    static Map<String, List<CoreResult>> results;

    @BeforeAll
    static void resolveAll() throws Exception {
        object = CoreObject.compile(dir, "core", SECTION);
        kernel = Btf.kernel();
        CoreRelocator relocator = CoreRelocator.of(object.btf(), CoreTarget.kernel());
        results = new LinkedHashMap<>();
        for (BtfExt.CoreRelo r : object.relocations(SECTION)) {
            CoreResult res = relocator.resolve(r.typeId(), r.accessString(), r.kind());
            assertEquals(r.kind(), res.kind());
            assertEquals(r.accessString(), res.accessString());
            results.computeIfAbsent(r.kind() + " " + res.local(), k -> new ArrayList<>()).add(res);
        }
        assertTrue(results.size() > 30, () -> "relocations: " + results.keySet());
    }

    /** The result for this kind and local access, checking that all occurrences agree. */
    static CoreResult result(CoreReloKind kind, String local) {
        List<CoreResult> list = results.get(kind + " " + local);
        assertNotNull(list, () -> "no relocation " + kind + " " + local + " among " + results.keySet());
        for (CoreResult r : list) assertEquals(list.getFirst(), r);
        return list.getFirst();
    }

    static long localOffset(String struct, String member) {
        int id = object.btf().lookup(struct, BtfType.Struct.class)[0];
        for (BtfType.Member m : object.btf().type(id, BtfType.Struct.class).members()) {
            if (m.name().equals(member)) return m.bitOffset() / 8;
        }
        throw new AssertionError(struct + "." + member);
    }

    @Test
    void fieldOffsetsFollowTheKernelLayout() {
        CoreResult pid = result(FIELD_BYTE_OFFSET, "struct task_struct___l.pid");
        assertEquals("struct task_struct.pid", pid.target());
        assertEquals(KernelLayout.field(kernel, "task_struct", "pid").byteOffset(), pid.targetValue());
        assertEquals(localOffset("task_struct___l", "pid"), pid.localValue());
        assertTrue(pid.checkLocalValue());
        assertFalse(pid.poisoned());
        assertEquals(KernelLayout.struct(kernel, "task_struct"), pid.targetTypeId());
        assertEquals(4, pid.localSize());
        assertEquals(4, pid.targetSize());
        assertEquals(CoreResult.Resize.NOT_NEEDED, pid.resize());

        assertEquals(KernelLayout.field(kernel, "task_struct", "tgid").byteOffset(),
                result(FIELD_BYTE_OFFSET, "struct task_struct___l.tgid").targetValue());
        CoreResult comm3 = result(FIELD_BYTE_OFFSET, "struct task_struct___l.comm[3]");
        assertEquals("struct task_struct.comm[3]", comm3.target());
        assertEquals(KernelLayout.field(kernel, "task_struct", "comm").byteOffset() + 3, comm3.targetValue());
        CoreResult vruntime = result(FIELD_BYTE_OFFSET, "struct task_struct___l.se.vruntime");
        assertEquals("struct task_struct.se.vruntime", vruntime.target());
        assertEquals(KernelLayout.field(kernel, "task_struct", "se", "vruntime").byteOffset(), vruntime.targetValue());
    }

    @Test
    void fieldOfAnotherSizeCarriesTheResizeRule() {
        CoreResult flags = result(FIELD_BYTE_OFFSET, "struct task_struct___l.flags");
        assertEquals(8, flags.localSize());
        assertEquals(kernel.sizeOf(KernelLayout.field(kernel, "task_struct", "flags").typeId()), flags.targetSize());
        assertEquals(4, flags.targetSize(), "this test expects the kernel's unsigned int flags");
        assertEquals(CoreResult.Resize.ZERO_EXTENDING, flags.resize());

        CoreResult prio = result(FIELD_BYTE_OFFSET, "struct task_struct___l.prio");
        assertEquals(8, prio.localSize());
        assertEquals(4, prio.targetSize());
        assertEquals(CoreResult.Resize.SIGN_EXTENDING, prio.resize());
    }

    @Test
    void fieldSizesAndSignedness() {
        assertEquals(kernel.sizeOf(KernelLayout.field(kernel, "task_struct", "flags").typeId()),
                result(FIELD_BYTE_SIZE, "struct task_struct___l.flags").targetValue());
        assertEquals(8, result(FIELD_BYTE_SIZE, "struct task_struct___l.flags").localValue());
        assertEquals(kernel.sizeOf(KernelLayout.field(kernel, "task_struct", "prio").typeId()),
                result(FIELD_BYTE_SIZE, "struct task_struct___l.prio").targetValue());
        assertEquals(kernel.sizeOf(KernelLayout.field(kernel, "task_struct", "comm").typeId()),
                result(FIELD_BYTE_SIZE, "struct task_struct___l.comm").targetValue());
        assertEquals(kernel.sizeOf(KernelLayout.field(kernel, "task_struct", "se").typeId()),
                result(FIELD_BYTE_SIZE, "struct task_struct___l.se").targetValue());
        assertEquals(1, result(FIELD_SIGNED, "struct task_struct___l.prio").targetValue());
        assertEquals(0, result(FIELD_SIGNED, "struct task_struct___l.flags").targetValue());
    }

    @Test
    void missingFieldPoisonsButExistsGivesZero() {
        CoreResult off = result(FIELD_BYTE_OFFSET, "struct task_struct___l.no_such_field_in_kernel");
        assertTrue(off.poisoned());
        assertFalse(off.found());
        assertNull(off.target());
        assertEquals(localOffset("task_struct___l", "no_such_field_in_kernel"), off.localValue());
        assertTrue(off.reason().contains("task_struct") && off.reason().contains("no_such_field_in_kernel"), off.reason());

        CoreResult exists = result(FIELD_EXISTS, "struct task_struct___l.no_such_field_in_kernel");
        assertFalse(exists.poisoned());
        assertEquals(1, exists.localValue());
        assertEquals(0, exists.targetValue());
        assertEquals(1, result(FIELD_EXISTS, "struct task_struct___l.pid").targetValue());
    }

    @Test
    void flavoursOfOneKernelStruct() {
        // task_struct___l, ___old and ___new are all candidates for the kernel's task_struct.
        int taskStruct = KernelLayout.struct(kernel, "task_struct");
        CoreResult oldState = result(FIELD_EXISTS, "struct task_struct___old.state");
        assertEquals(0, oldState.targetValue());
        assertFalse(oldState.poisoned());
        CoreResult newState = result(FIELD_EXISTS, "struct task_struct___new.__state");
        assertEquals(1, newState.targetValue());
        assertEquals(taskStruct, newState.targetTypeId());
        CoreResult newOffset = result(FIELD_BYTE_OFFSET, "struct task_struct___new.__state");
        assertEquals(KernelLayout.field(kernel, "task_struct", "__state").byteOffset(), newOffset.targetValue());
        CoreResult oldOffset = result(FIELD_BYTE_OFFSET, "struct task_struct___old.state");
        assertTrue(oldOffset.poisoned(), "the unreachable read of the old field is poisoned");
        assertEquals(taskStruct, result(FIELD_BYTE_OFFSET, "struct task_struct___l.pid").targetTypeId());
    }

    @Test
    void unsignedBitfieldRelocationsExtractTheKernelBits() {
        KernelLayout.Field f = KernelLayout.field(kernel, "task_struct", "in_iowait");
        assertTrue(f.bitfieldSize() > 0, "in_iowait is a bitfield in the kernel");
        assertBitfield("struct task_struct___l.in_iowait", f);
        assertEquals(0, result(FIELD_SIGNED, "struct task_struct___l.in_iowait").targetValue());
    }

    @Test
    void signedBitfieldInsideAnAnonymousUnion() {
        KernelLayout.Field f = KernelLayout.field(kernel, "bpf_reg_state", "iter", "depth");
        assertBitfield("struct bpf_reg_state___l.iter.depth", f);
        CoreResult signed = result(FIELD_SIGNED, "struct bpf_reg_state___l.iter.depth");
        assertEquals(1, signed.targetValue());
        assertEquals("struct bpf_reg_state.iter.depth", signed.target());
    }

    /**
     * Offset, size and shifts must extract exactly the kernel's bits: an aligned load of 1, 2, 4
     * or 8 bytes covering them, shifted left to drop the bits above and right to drop those below.
     */
    static void assertBitfield(String local, KernelLayout.Field f) {
        long byteOff = result(FIELD_BYTE_OFFSET, local).targetValue();
        long byteSize = result(FIELD_BYTE_SIZE, local).targetValue();
        long lshift = result(FIELD_LSHIFT_U64, local).targetValue();
        long rshift = result(FIELD_RSHIFT_U64, local).targetValue();
        assertTrue(List.of(1L, 2L, 4L, 8L).contains(byteSize), "load size " + byteSize);
        assertEquals(0, byteOff % byteSize, "aligned load");
        assertTrue(byteOff * 8 <= f.bitOffset(), "load starts before the field");
        assertTrue(f.bitOffset() + f.bitfieldSize() <= (byteOff + byteSize) * 8, "load ends after the field");
        // Little endian: after the load, the field's lowest bit is bit (bitOffset - byteOff*8).
        long low = f.bitOffset() - byteOff * 8;
        assertEquals(64 - (low + f.bitfieldSize()), lshift);
        assertEquals(64 - f.bitfieldSize(), rshift);
        assertFalse(result(FIELD_BYTE_OFFSET, local).checkLocalValue(), "bitfield offsets are not checked");
    }

    @Test
    void typeRelocations() {
        int taskStruct = KernelLayout.struct(kernel, "task_struct");
        assertEquals(1, result(TYPE_EXISTS, "struct task_struct___l").targetValue());
        CoreResult missing = result(TYPE_EXISTS, "struct no_such_type_in_kernel");
        assertEquals(0, missing.targetValue());
        assertFalse(missing.poisoned());
        assertEquals("the kernel has no struct named no_such_type_in_kernel", missing.reason());
        assertEquals(0, result(TYPE_MATCHES, "struct no_such_type_in_kernel").targetValue());
        assertEquals(0, result(TYPE_SIZE, "struct no_such_type_in_kernel").targetValue());
        assertFalse(result(TYPE_SIZE, "struct no_such_type_in_kernel").poisoned());

        assertEquals(kernel.sizeOf(taskStruct), result(TYPE_SIZE, "struct task_struct___l").targetValue());
        int pidT = kernel.lookup("pid_t", BtfType.Typedef.class)[0];
        assertEquals(kernel.sizeOf(pidT), result(TYPE_SIZE, "typedef pid_t").targetValue());
        assertEquals(1, result(TYPE_EXISTS, "typedef pid_t").targetValue());

        CoreResult kernelId = result(TYPE_ID_TARGET, "struct task_struct___l");
        assertEquals(taskStruct, kernelId.targetValue());
        assertFalse(kernelId.checkLocalValue());
        int localId = object.btf().lookup("task_struct___l", BtfType.Struct.class)[0];
        CoreResult local = result(TYPE_ID_LOCAL, "struct task_struct___l");
        assertEquals(localId, local.localValue());
        assertEquals(localId, local.targetValue());
    }

    @Test
    void typeMatchesIsStricterThanTypeExists() {
        // list_head___bad has an int "next" where the kernel has a pointer: compatible, no match.
        assertEquals(1, result(TYPE_MATCHES, "struct list_head___good").targetValue());
        assertEquals(0, result(TYPE_MATCHES, "struct list_head___bad").targetValue());
        assertEquals(1, result(TYPE_EXISTS, "struct list_head___bad").targetValue());
        assertTrue(result(TYPE_MATCHES, "struct list_head___bad").reason().contains("does not match"));
    }

    @Test
    void enumValuesComeFromTheKernel() {
        CoreResult ringbufOutput = result(ENUMVAL_VALUE, "enum bpf_func_id___l::BPF_FUNC_ringbuf_output___l");
        assertEquals(KernelLayout.enumValue(kernel, "bpf_func_id", "BPF_FUNC_ringbuf_output"), ringbufOutput.targetValue());
        assertEquals(1000, ringbufOutput.localValue());
        assertEquals("enum bpf_func_id::BPF_FUNC_ringbuf_output", ringbufOutput.target());
        CoreResult ringbuf = result(ENUMVAL_VALUE, "enum bpf_map_type___l::BPF_MAP_TYPE_RINGBUF___l");
        assertEquals(KernelLayout.enumValue(kernel, "bpf_map_type", "BPF_MAP_TYPE_RINGBUF"), ringbuf.targetValue());
        assertEquals(MapType.RINGBUF.value(), ringbuf.targetValue());

        assertEquals(1, result(ENUMVAL_EXISTS, "enum bpf_func_id___l::BPF_FUNC_ringbuf_output___l").targetValue());
        CoreResult noHelper = result(ENUMVAL_EXISTS, "enum bpf_func_id___l::BPF_FUNC_no_such_helper");
        assertEquals(0, noHelper.targetValue());
        assertFalse(noHelper.poisoned());
        CoreResult noValue = result(ENUMVAL_VALUE, "enum bpf_func_id___l::BPF_FUNC_no_such_helper");
        assertTrue(noValue.poisoned());
        assertTrue(noValue.reason().contains("no enumerator BPF_FUNC_no_such_helper"), noValue.reason());
    }

    @Test
    void describeNamesBothSides() {
        CoreResult pid = result(FIELD_BYTE_OFFSET, "struct task_struct___l.pid");
        assertEquals("FIELD_BYTE_OFFSET struct task_struct___l.pid → struct task_struct.pid: " + pid.localValue()
                + " → " + pid.targetValue(), pid.describe());
        assertTrue(result(FIELD_BYTE_OFFSET, "struct task_struct___l.no_such_field_in_kernel").describe()
                .contains("poisoned"));
    }

    // ---------------------------------------------------------------------------------------------
    // Several kernel candidates (a target BTF built in the test)

    static final String FLAVOURS = """
            struct foo___local { int b; } __attribute__((preserve_access_index));
            int get(struct foo___local *p) { return __builtin_preserve_access_index(p->b); }
            """;

    static final BtfType INT = new BtfType.Int("int", 4, BtfType.IntEncoding.SIGNED, 0, 32);

    static BtfType.Struct foo(String name, String... members) {
        List<BtfType.Member> ms = new ArrayList<>();
        for (int i = 0; i < members.length; i++) ms.add(new BtfType.Member(members[i], 1, i * 32, 0));
        return new BtfType.Struct(name, members.length * 4, ms);
    }

    static CoreResult resolveAgainst(Btf target) throws Exception {
        CoreObject o = CoreObject.compileSource(dir, "flavours", FLAVOURS, ".text");
        BtfExt.CoreRelo r = o.relocations(".text").getFirst();
        assertEquals(FIELD_BYTE_OFFSET, r.kind());
        return CoreRelocator.of(o.btf(), CoreTarget.of(target)).resolve(r.typeId(), r.accessString(), r.kind());
    }

    @Test
    void candidatesThatAgreeAreNotAmbiguous() throws Exception {
        // foo and foo___2 both have b at byte 4; bar is another name and does not count.
        Btf target = Btf.of(List.of(INT, foo("foo", "a", "b"), foo("foo___2", "x", "b"), foo("bar", "b")));
        CoreResult r = resolveAgainst(target);
        assertEquals(4, r.targetValue());
        assertEquals(2, r.targetTypeId(), "the first candidate is reported");
    }

    @Test
    void flavouredKernelNameIsACandidate() throws Exception {
        Btf target = Btf.of(List.of(INT, foo("foo___v2", "a", "a2", "b")));
        CoreResult r = resolveAgainst(target);
        assertEquals(8, r.targetValue());
        assertEquals("struct foo___v2.b", r.target());
    }

    @Test
    void candidatesThatDisagreeAreAnError() throws Exception {
        Btf target = Btf.of(List.of(INT, foo("foo", "a", "b"), foo("foo___2", "b")));
        CoreRelocationException e = assertThrows(CoreRelocationException.class, () -> resolveAgainst(target));
        assertTrue(e.getMessage().contains("ambiguous") && e.getMessage().contains("struct foo.b")
                && e.getMessage().contains("struct foo___2.b"), e.getMessage());
    }

    @Test
    void candidateWithIncompatibleFieldTypeDoesNotMatch() throws Exception {
        // In foo___2, b is a pointer: not compatible with the local int, so only foo counts.
        BtfType.Ptr ptr = new BtfType.Ptr(1);
        BtfType.Struct withPointer = new BtfType.Struct("foo___2", 8,
                List.of(new BtfType.Member("b", 3, 0, 0)));
        Btf target = Btf.of(List.of(INT, foo("foo", "a", "b"), ptr, withPointer));
        assertEquals(4, resolveAgainst(target).targetValue());
    }

    // ---------------------------------------------------------------------------------------------
    // Kernel modules (split BTF over the real vmlinux, built in the test)

    @Test
    void moduleTypesAreCandidatesWhenVmlinuxHasNone() throws Exception {
        assertEquals(0, kernel.lookup("foo", BtfType.Struct.class).length, "the kernel has no struct foo");
        int intId = kernel.lookup("int", BtfType.Int.class)[0];
        Btf module = Btf.of(kernel, List.of(new BtfType.Struct("foo", 12, List.of(
                new BtfType.Member("a", intId, 0, 0), new BtfType.Member("c", intId, 32, 0),
                new BtfType.Member("b", intId, 64, 0)))));
        CoreObject o = CoreObject.compileSource(dir, "flavours", FLAVOURS, ".text");
        BtfExt.CoreRelo r = o.relocations(".text").getFirst();
        CoreResult res = CoreRelocator.of(o.btf(), CoreTarget.of(kernel, List.of(module)))
                .resolve(r.typeId(), r.accessString(), r.kind());
        assertEquals(8, res.targetValue());
        assertEquals(kernel.typeCount(), res.targetTypeId(), "the module's first own type id");
        assertTrue(CoreRelocator.of(o.btf(), CoreTarget.of(kernel)).resolve(r.typeId(), r.accessString(), r.kind())
                .poisoned(), "without the module there is no struct foo");
    }

    @Test
    void vmlinuxTypesWinOverModuleTypes() {
        int intId = kernel.lookup("int", BtfType.Int.class)[0];
        Btf module = Btf.of(kernel, List.of(new BtfType.Struct("task_struct", 4, List.of(
                new BtfType.Member("pid", intId, 0, 0)))));
        BtfExt.CoreRelo pid = object.relocations(SECTION).stream()
                .filter(r -> r.kind() == FIELD_BYTE_OFFSET && CoreRelocator.of(object.btf(), CoreTarget.kernel())
                        .resolve(r.typeId(), r.accessString(), r.kind()).local().equals("struct task_struct___l.pid"))
                .findFirst().orElseThrow();
        CoreResult res = CoreRelocator.of(object.btf(), CoreTarget.of(kernel, List.of(module)))
                .resolve(pid.typeId(), pid.accessString(), pid.kind());
        assertEquals(KernelLayout.field(kernel, "task_struct", "pid").byteOffset(), res.targetValue());
    }

    @Test
    void kernelWithModulesReadsTheLoadedModules() throws Exception {
        List<String> modules;
        try (var files = java.nio.file.Files.list(Path.of("/sys/kernel/btf"))) {
            modules = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("vmlinux")).sorted().toList();
        }
        CoreTarget target = CoreTarget.kernelWithModules();
        assertSame(kernel, target.vmlinux());
        assertEquals(modules.size(), target.modules().size());
        for (Btf m : target.modules()) assertSame(kernel, m.base());
        assertThrows(IllegalArgumentException.class, () -> CoreTarget.of(Btf.of(List.of(INT)), List.of(
                Btf.of(kernel, List.of()))));
    }

    // ---------------------------------------------------------------------------------------------
    // Relocations that do not fit the object's BTF

    @Test
    void malformedAccessStringsAreReported() {
        CoreRelocator relocator = CoreRelocator.of(object.btf(), CoreTarget.kernel());
        int task = object.btf().lookup("task_struct___l", BtfType.Struct.class)[0];
        CoreRelocationException e = assertThrows(CoreRelocationException.class,
                () -> relocator.resolve(task, "0:x", FIELD_BYTE_OFFSET));
        assertTrue(e.getMessage().contains("\"0:x\"") && e.getMessage().contains("struct task_struct___l"), e.getMessage());
        e = assertThrows(CoreRelocationException.class, () -> relocator.resolve(task, "0:99", FIELD_BYTE_OFFSET));
        assertTrue(e.getMessage().contains("member 99"), e.getMessage());
        e = assertThrows(CoreRelocationException.class, () -> relocator.resolve(task, "1", TYPE_SIZE));
        assertTrue(e.getMessage().contains("access string \"0\""), e.getMessage());
        e = assertThrows(CoreRelocationException.class, () -> relocator.resolve(task, "0", ENUMVAL_VALUE));
        assertTrue(e.getMessage().contains("not an enum"), e.getMessage());
        e = assertThrows(CoreRelocationException.class,
                () -> relocator.resolve(object.btf().typeCount(), "0", TYPE_SIZE));
        assertTrue(e.getMessage().contains("not in the object's BTF"), e.getMessage());
    }
}
