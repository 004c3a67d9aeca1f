package dev.jbcc.btf.core;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfExt;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.CoreRelocationException;
import dev.jbcc.obj.testing.CoreObject;
import dev.jbcc.obj.testing.KernelFields;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.jbcc.btf.CoreReloKind.FIELD_BYTE_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Where candidates come from: vmlinux, flavoured kernel names, kernel modules (split BTF over the
 * real vmlinux, built in the test since this host loads no module with BTF).
 */
class CoreTargetsTest {
    @TempDir
    static Path dir;

    static Btf kernel;
    /** {@code p->b} on a local {@code struct foo___local { int b; }}. */
    static CoreObject foo;
    static BtfExt.CoreRelo fooB;

    static final String FOO = """
            struct foo___local { int b; } __attribute__((preserve_access_index));
            int get(struct foo___local *p) { return p->b; }
            """;

    @BeforeAll
    static void compile() throws Exception {
        kernel = Btf.kernel();
        foo = CoreObject.compileSource(dir, "foo", FOO, ".text");
        fooB = foo.relocations(".text").getFirst();
        assertEquals(FIELD_BYTE_OFFSET, fooB.kind());
        assertEquals(0, kernel.lookup("foo").length, "the kernel has no type named foo");
    }

    static int kernelInt() {
        return kernel.lookup("int", BtfType.Int.class)[0];
    }

    /** A struct of ints named {@code name} with {@code members} at 0, 4, 8… */
    static BtfType.Struct ints(String name, String... members) {
        List<BtfType.Member> ms = new ArrayList<>();
        for (int i = 0; i < members.length; i++) ms.add(new BtfType.Member(members[i], kernelInt(), i * 32, 0));
        return new BtfType.Struct(name, members.length * 4, ms);
    }

    static CoreFixup resolveFoo(CoreResolver resolver) {
        return resolver.resolve(fooB.typeId(), fooB.accessString(), fooB.kind());
    }

    @Test
    void moduleTypeIsACandidateWhenVmlinuxHasNone() {
        Btf module = Btf.of(kernel, List.of(ints("foo", "a", "c", "b")));
        CoreResolver resolver = CoreResolver.of(foo.btf(), kernel, List.of(module));
        CoreFixup f = resolveFoo(resolver);
        assertFalse(f.poisoned());
        assertEquals(8, f.targetValue());
        assertArrayEquals(new int[] {kernel.typeCount()}, resolver.candidates(fooB.typeId()),
                "the module's first own type");
        assertTrue(resolveFoo(CoreResolver.of(foo.btf(), kernel)).poisoned(), "vmlinux alone has no struct foo");
    }

    @Test
    void candidatesFromSeveralModulesMustAgree() {
        Btf agreeing = Btf.of(kernel, List.of(ints("foo", "a", "b")));
        Btf same = Btf.of(kernel, List.of(ints("foo", "x", "b")));
        assertEquals(4, resolveFoo(CoreResolver.of(foo.btf(), kernel, List.of(agreeing, same))).targetValue());
        Btf other = Btf.of(kernel, List.of(ints("foo", "b")));
        var e = assertThrows(CoreRelocationException.class,
                () -> resolveFoo(CoreResolver.of(foo.btf(), kernel, List.of(agreeing, other))));
        assertTrue(e.getMessage().contains("is ambiguous"), e.getMessage());
    }

    @Test
    void vmlinuxWinsOverModules() {
        // A module that also defines task_struct, with pid first: vmlinux's task_struct is used.
        Btf module = Btf.of(kernel, List.of(ints("task_struct", "pid")));
        String source = """
                struct task_struct___l { int pid; } __attribute__((preserve_access_index));
                int get(struct task_struct___l *t) { return t->pid; }
                """;
        CoreObject o;
        try {
            o = CoreObject.compileSource(dir, "task", source, ".text");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        BtfExt.CoreRelo r = o.relocations(".text").getFirst();
        CoreFixup f = CoreResolver.of(o.btf(), kernel, List.of(module)).resolve(r.typeId(), r.accessString(), r.kind());
        assertEquals(KernelFields.field(kernel, "task_struct", "pid").byteOffset(), f.targetValue());
    }

    @Test
    void modulesMustBeSplitOverTheTarget() {
        Btf unrelated = Btf.of(List.of(new BtfType.Int("int", 4, BtfType.IntEncoding.SIGNED, 0, 32)));
        var e = assertThrows(IllegalArgumentException.class,
                () -> CoreResolver.of(foo.btf(), kernel, List.of(unrelated)));
        assertTrue(e.getMessage().contains("Btf.kernelModule"), e.getMessage());
    }

    @Test
    void flavouredTargetNamesAreCandidates() {
        // A target whose only foo is a flavour (as pahole/bpftool name clashing types).
        Btf target = Btf.of(kernel, List.of(ints("foo___2", "a", "a2", "b"), ints("foobar", "b")));
        CoreResolver resolver = CoreResolver.of(foo.btf(), target);
        assertArrayEquals(new int[] {kernel.typeCount()}, resolver.candidates(fooB.typeId()));
        assertEquals(8, resolveFoo(resolver).targetValue());
    }

    @Test
    void flavouredModuleNamesAreCandidates() {
        Btf module = Btf.of(kernel, List.of(ints("foo___x", "a", "b")));
        assertEquals(4, resolveFoo(CoreResolver.of(foo.btf(), kernel, List.of(module))).targetValue());
    }
}
