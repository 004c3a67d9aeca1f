package dev.jbcc.internal.sys;

import dev.jbcc.features.KernelVersion;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jbcc's hand-written {@code bpf_attr} layouts ({@link BpfAttr}) against the running kernel's
 * {@code union bpf_attr}, read from its BTF: every field the kernel has sits at the kernel's offset
 * with the kernel's size. Our layouts name the kernel's anonymous unions and structs (e.g.
 * {@code value_or_next_key}); a field matches when its path, less some of those names, is the
 * kernel's.
 */
class BpfAttrLayoutTest {
    /** The layouts were written from this kernel's bpf.h: on it or later, every field must be there. */
    private static final KernelVersion WRITTEN_FROM = new KernelVersion(6, 18, 0);

    /** Our layout and the kernel's name for its member of the union, null for an anonymous one. */
    record Command(StructLayout layout, String member) {}

    private static final Map<String, Command> LAYOUTS = new LinkedHashMap<>();

    static {
        LAYOUTS.put("MapCreate", new Command(BpfAttr.MapCreate.LAYOUT, null));
        LAYOUTS.put("MapElem", new Command(BpfAttr.MapElem.LAYOUT, null));
        LAYOUTS.put("MapBatch", new Command(BpfAttr.MapBatch.LAYOUT, "batch"));
        LAYOUTS.put("ProgLoad", new Command(BpfAttr.ProgLoad.LAYOUT, null));
        LAYOUTS.put("Obj", new Command(BpfAttr.Obj.LAYOUT, null));
        LAYOUTS.put("ProgAttach", new Command(BpfAttr.ProgAttach.LAYOUT, null));
        LAYOUTS.put("TestRun", new Command(BpfAttr.TestRun.LAYOUT, "test"));
        LAYOUTS.put("GetId", new Command(BpfAttr.GetId.LAYOUT, null));
        LAYOUTS.put("InfoByFd", new Command(BpfAttr.InfoByFd.LAYOUT, "info"));
        LAYOUTS.put("RawTracepointOpen", new Command(BpfAttr.RawTracepointOpen.LAYOUT, "raw_tracepoint"));
        LAYOUTS.put("BtfLoad", new Command(BpfAttr.BtfLoad.LAYOUT, null));
        LAYOUTS.put("LinkCreate", new Command(BpfAttr.LinkCreate.LAYOUT, "link_create"));
        LAYOUTS.put("LinkUpdate", new Command(BpfAttr.LinkUpdate.LAYOUT, "link_update"));
        LAYOUTS.put("LinkDetach", new Command(BpfAttr.LinkDetach.LAYOUT, "link_detach"));
        LAYOUTS.put("EnableStats", new Command(BpfAttr.EnableStats.LAYOUT, "enable_stats"));
        LAYOUTS.put("IterCreate", new Command(BpfAttr.IterCreate.LAYOUT, "iter_create"));
        LAYOUTS.put("ProgBindMap", new Command(BpfAttr.ProgBindMap.LAYOUT, "prog_bind_map"));
    }

    /** A leaf field: its path of names from the command's struct, byte offset and size. */
    record Field(List<String> path, long offset, long size) {}

    @Test
    void everyCommandsLayoutMatchesTheKernelsUnionBpfAttr() {
        Btf kernel = Btf.kernel();
        BtfType.Union attr = kernel.find("bpf_attr", BtfType.Union.class).orElseThrow();
        assertTrue(BpfAttr.UNION_SIZE >= attr.size(), "UNION_SIZE " + BpfAttr.UNION_SIZE + " < sizeof(union bpf_attr) "
                + attr.size());
        boolean complete = KernelVersion.current().compareTo(WRITTEN_FROM) >= 0;

        List<String> wrong = new ArrayList<>();
        for (var command : LAYOUTS.entrySet()) {
            List<Field> ours = new ArrayList<>();
            leaves(command.getValue().layout(), 0, List.of(), ours);
            // The union member that is this command's struct: by name, or else the anonymous one
            // that has the most of our fields (ties: at the same offsets).
            Map<String, Field> best = Map.of();
            int bestFound = -1;
            for (BtfType.Member m : attr.members()) {
                String wanted = command.getValue().member();
                if (wanted == null ? !m.name().isEmpty() : !m.name().equals(wanted)) continue;
                Map<String, Field> theirs = new LinkedHashMap<>();
                kernelLeaves(kernel, m.type(), 0, List.of(), theirs);
                int found = 0;
                for (Field f : ours) {
                    Field k = match(f, theirs);
                    if (k != null) found += k.offset() == f.offset() ? 1001 : 1000;
                }
                if (found > bestFound) {
                    bestFound = found;
                    best = theirs;
                }
            }
            assertTrue(bestFound > 0, command.getKey() + ": no member of union bpf_attr has any of its fields");
            for (Field f : ours) {
                Field k = match(f, best);
                // A name the kernel lacks (a kind of link newer than it) is dropped in the match, and
                // the field then found (link_create's own flags for netfilter.flags on 6.1) lies
                // outside the group it belongs to: the kernel has no such field.
                if (k != null && !withinItsGroup(k, f, ours)) k = null;
                if (k == null) {
                    if (complete) wrong.add(command.getKey() + "." + String.join(".", f.path()) + ": not in the kernel's bpf_attr");
                } else if (k.offset() != f.offset() || k.size() != f.size()) {
                    wrong.add(command.getKey() + "." + String.join(".", f.path()) + ": ours at " + f.offset() + " ("
                            + f.size() + " bytes), the kernel's " + String.join(".", k.path()) + " at " + k.offset()
                            + " (" + k.size() + " bytes)");
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** The link_create tail union starts where the kernel's does, and each kind fits in the kernel's union. */
    @Test
    void theLinkCreateTailIsTheKernelsUnion() {
        Btf kernel = Btf.kernel();
        var linkCreate = kernel.find("bpf_attr", BtfType.Union.class).orElseThrow().members().stream()
                .filter(m -> m.name().equals("link_create")).findFirst().orElseThrow();
        var struct = (BtfType.Struct) kernel.type(kernel.resolve(linkCreate.type()));
        BtfType.Member tail = struct.members().getLast();
        assertTrue(tail.name().isEmpty(), "the kernel's per-kind tail is an anonymous union: " + tail);
        assertEquals(tail.bitOffset() / 8, BpfAttr.LinkCreate.TARGET_BTF_ID);
        assertFalse(BpfAttr.LinkCreate.TAIL.byteSize() > kernel.sizeOf(tail.type())
                        && KernelVersion.current().compareTo(WRITTEN_FROM) >= 0,
                "our tail (" + BpfAttr.LinkCreate.TAIL.byteSize() + " bytes) is larger than the kernel's");
    }

    /** Our leaves: value layouts and byte arrays, with the names of the groups they are in. */
    private static void leaves(MemoryLayout layout, long base, List<String> path, List<Field> out) {
        if (layout instanceof GroupLayout group) {
            boolean union = !(group instanceof StructLayout);
            long offset = base;
            for (MemoryLayout m : group.memberLayouts()) {
                if (!(m instanceof PaddingLayout)) {
                    List<String> p = new ArrayList<>(path);
                    p.add(m.name().orElseThrow(() -> new AssertionError("unnamed member in " + group)));
                    leaves(m, offset, p, out);
                }
                if (!union) offset += m.byteSize();
            }
        } else {
            out.add(new Field(path, base, layout.byteSize()));
        }
    }

    /** The kernel's leaves by dotted name, anonymous members adding no name. */
    private static void kernelLeaves(Btf btf, int typeId, long base, List<String> path, Map<String, Field> out) {
        BtfType t = btf.type(btf.resolve(typeId));
        if (t instanceof BtfType.Composite c) {
            for (BtfType.Member m : c.members()) {
                List<String> p = new ArrayList<>(path);
                if (!m.name().isEmpty()) p.add(m.name());
                kernelLeaves(btf, m.type(), base + m.bitOffset() / 8, p, out);
            }
        } else {
            out.putIfAbsent(String.join(".", path), new Field(path, base, btf.sizeOf(typeId)));
        }
    }

    /** Whether {@code kernel} lies in the bytes of the innermost group that {@code field} is in. */
    private static boolean withinItsGroup(Field kernel, Field field, List<Field> all) {
        if (field.path().size() < 2) return true;
        List<String> group = field.path().subList(0, field.path().size() - 1);
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (Field f : all) {
            if (f.path().size() <= group.size() || !f.path().subList(0, group.size()).equals(group)) continue;
            lo = Math.min(lo, f.offset());
            hi = Math.max(hi, f.offset() + f.size());
        }
        return kernel.offset() >= lo && kernel.offset() + kernel.size() <= hi;
    }

    /** The kernel's field for ours: our path with as few of our group names dropped as needed. */
    private static Field match(Field ours, Map<String, Field> theirs) {
        List<String> groups = ours.path().subList(0, ours.path().size() - 1);
        String leaf = ours.path().getLast();
        int n = groups.size();
        Field found = null;
        int kept = -1;
        for (int mask = 0; mask < (1 << n); mask++) {
            List<String> p = new ArrayList<>();
            for (int i = 0; i < n; i++) if ((mask & (1 << i)) != 0) p.add(groups.get(i));
            p.add(leaf);
            Field f = theirs.get(String.join(".", p));
            if (f != null && p.size() > kept) {
                found = f;
                kept = p.size();
            }
        }
        return found;
    }
}
