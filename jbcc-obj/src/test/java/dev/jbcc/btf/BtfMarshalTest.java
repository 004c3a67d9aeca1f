package dev.jbcc.btf;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BtfMarshalTest {
    @TempDir
    static Path dir;
    static Btf object;

    @BeforeAll
    static void compile() throws Exception {
        object = Btf.parse(Clang.section(Clang.compileBpf(dir, "kinds", BtfParseTest.PROGRAM, "bpfel"), ".BTF"));
    }

    @Test
    void kernelBtfRoundTrips() {
        Btf kernel = Btf.kernel();
        Btf again = Btf.parse(kernel.marshal());
        assertEquals(kernel.typeCount(), again.typeCount());
        assertEquals(kernel.types(), again.types());
        assertTrue(again.stringsLength() <= kernel.stringsLength());
    }

    @Test
    void objectBtfRoundTripsInBothByteOrders() {
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            Btf again = Btf.parse(object.marshal(order));
            assertEquals(order, again.order());
            assertEquals(object.types(), again.types());
        }
    }

    /**
     * What a loader does before BPF_BTF_LOAD: fill in DataSec sizes and variable offsets (from the
     * ELF section and symbols; here laid out in order), then load. The kernel is the judge.
     */
    static Btf withDataSecsLaidOut(Btf btf) {
        Btf fixed = btf;
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.DataSec ds) {
                Map<String, Integer> offsets = new HashMap<>();
                int at = 0;
                for (BtfType.VarSecInfo v : ds.vars()) {
                    int size = (int) btf.sizeOf(v.type());
                    int align = btf.alignOf(v.type());
                    at = (at + align - 1) / align * align;
                    offsets.put(btf.name(v.type()), at);
                    at += size;
                }
                fixed = fixed.withDataSec(ds.name(), at, offsets);
            }
        }
        return fixed;
    }

    @Test
    void withDataSecSetsSizeAndOffsets() {
        BtfType.DataSec before = object.dataSec(".bss").orElseThrow();
        Map<String, Integer> offsets = new HashMap<>();
        for (int i = 0; i < before.vars().size(); i++) {
            offsets.put(object.name(before.vars().get(i).type()), 64 * i);
        }
        Btf fixed = object.withDataSec(".bss", 64 * before.vars().size(), offsets);
        BtfType.DataSec after = fixed.dataSec(".bss").orElseThrow();
        assertEquals(64 * before.vars().size(), after.size());
        for (int i = 0; i < after.vars().size(); i++) {
            assertEquals(64 * i, after.vars().get(i).offset());
            assertEquals(before.vars().get(i).type(), after.vars().get(i).type());
            assertEquals(before.vars().get(i).size(), after.vars().get(i).size());
        }
        assertEquals(object.typeCount(), fixed.typeCount());
        assertEquals(object.dataSec(".data"), fixed.dataSec(".data"));

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> object.withDataSec(".bss", 8, Map.of()));
        assertTrue(missing.getMessage().contains("no offset given for variable"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> object.withDataSec(".nope", 8, Map.of()));
    }

    @Test
    void marshalledObjectBtfLoadsIntoTheKernel() throws Throwable {
        KernelBtfLoad.loadAndClose(withDataSecsLaidOut(object).marshal());
    }

    /**
     * Kernels gained BTF kinds one after another, so an older kernel lacks a feature and all later
     * ones: each step removes one more, newest first, and must still keep ids and sizes. The
     * running kernel has every feature, so it must accept every stand-in too, except FUNC_PROTO's
     * (an enum of parameters) which only pre-5.0 kernels, the ones that need it, take.
     */
    @Test
    void sanitisingForOlderKernelsKeepsIdsAndSizesAndLoads() throws Throwable {
        Btf fixed = withDataSecsLaidOut(object);
        assertEquals(fixed, fixed.sanitized(BtfSanitizer.Features.ALL));
        record Step(String missing, BtfSanitizer.Features has, Set<BtfKind> gone) {}
        List<Step> steps = List.of(
                new Step("enum64", new BtfSanitizer.Features(true, true, true, true, true, true, true, false),
                        EnumSet.of(BtfKind.ENUM64)),
                new Step("typeTag", new BtfSanitizer.Features(true, true, true, true, true, true, false, false),
                        EnumSet.of(BtfKind.ENUM64, BtfKind.TYPE_TAG)),
                new Step("declTag", new BtfSanitizer.Features(true, true, true, true, true, false, false, false),
                        EnumSet.of(BtfKind.ENUM64, BtfKind.TYPE_TAG, BtfKind.DECL_TAG)),
                new Step("floats", new BtfSanitizer.Features(true, true, true, true, false, false, false, false),
                        EnumSet.of(BtfKind.ENUM64, BtfKind.TYPE_TAG, BtfKind.DECL_TAG, BtfKind.FLOAT)),
                new Step("funcGlobal", new BtfSanitizer.Features(true, true, true, false, false, false, false, false),
                        EnumSet.of(BtfKind.ENUM64, BtfKind.TYPE_TAG, BtfKind.DECL_TAG, BtfKind.FLOAT)),
                new Step("datasec", new BtfSanitizer.Features(false, false, true, false, false, false, false, false),
                        EnumSet.of(BtfKind.ENUM64, BtfKind.TYPE_TAG, BtfKind.DECL_TAG, BtfKind.FLOAT, BtfKind.VAR,
                                BtfKind.DATASEC)),
                new Step("func", BtfSanitizer.Features.NONE,
                        EnumSet.of(BtfKind.ENUM64, BtfKind.TYPE_TAG, BtfKind.DECL_TAG, BtfKind.FLOAT, BtfKind.VAR,
                                BtfKind.DATASEC, BtfKind.FUNC, BtfKind.FUNC_PROTO)));
        for (Step step : steps) {
            Btf s = fixed.sanitized(step.has());
            for (int id = 1; id < s.typeCount(); id++) {
                BtfKind k = s.kind(id);
                assertFalse(step.gone().contains(k), step.missing() + ": type " + id + " is still " + k);
                if (!step.has().funcGlobal() && s.type(id) instanceof BtfType.Func f) {
                    assertEquals(BtfType.Linkage.STATIC, f.linkage());
                }
                if (!step.has().enum64() && s.type(id) instanceof BtfType.Enum e) {
                    assertFalse(e.signed(), "signed enums came with ENUM64");
                }
            }
            // Same ids (plus ENUM64's placeholder at the end), same sizes: func_info and CO-RE stay valid.
            assertEquals(fixed.typeCount() + (step.has().enum64() ? 0 : 1), s.typeCount(), step.missing());
            for (int id = 1; id < fixed.typeCount(); id++) {
                // VARs become one-byte INTs without DATASEC support; their DataSec keeps its size.
                if (hasSize(fixed, id) && !(fixed.type(id) instanceof BtfType.Var)) {
                    assertEquals(fixed.sizeOf(id), s.sizeOf(id), step.missing() + ": size of " + fixed.describe(id));
                }
            }
            if (step.has().func()) {
                KernelBtfLoad.loadAndClose(s.marshal());
            }
        }
    }

    private static boolean hasSize(Btf btf, int id) {
        try {
            btf.sizeOf(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false; // void, functions, forward declarations
        }
    }

    @Test
    void questionMarkDataSecNamesAreRenamed() {
        Btf btf = Btf.of(List.of(
                new BtfType.Int("int", 4, BtfType.IntEncoding.SIGNED, 0, 32),
                new BtfType.Var("v", 1, BtfType.Linkage.GLOBAL),
                new BtfType.DataSec("?.struct_ops", 4, List.of(new BtfType.VarSecInfo(2, 0, 4)))));
        Btf s = btf.sanitized(new BtfSanitizer.Features(true, false, true, true, true, true, true, true));
        assertEquals("_.struct_ops", s.name(3));
        Btf noDataSec = btf.sanitized(new BtfSanitizer.Features(false, true, true, true, true, true, true, true));
        assertEquals(new BtfType.Struct("__struct_ops", 4, List.of(new BtfType.Member("v", 2, 0, 0))),
                noDataSec.type(3));
    }
}
