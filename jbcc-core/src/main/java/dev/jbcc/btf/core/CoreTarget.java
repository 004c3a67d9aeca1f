package dev.jbcc.btf.core;

import dev.jbcc.FormatException;
import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfKind;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * The BTF that CO-RE relocations resolve against: the kernel's ({@code vmlinux}) and, optionally,
 * kernel modules' split BTF. Candidates are searched in vmlinux first; modules are only searched
 * (and, for {@link #kernelWithModules()}, only read) when vmlinux has no type of that name and
 * kind, as libbpf does.
 */
public final class CoreTarget {
    private static final Path KERNEL_BTF_DIR = Path.of("/sys/kernel/btf");

    /**
     * Per target BTF and kind: flavoured type names ({@code foo___bar}) by essential name. Exact
     * names come from the BTF's own name index; this covers the rare flavoured ones. Built per kind
     * on first use, since decoding every name (the kernel has ~56k functions) costs far more than
     * the struct names a program relocates. Weak keys: a BTF the caller dropped is not kept alive.
     */
    private static final Map<Btf, Map<BtfKind, Map<String, int[]>>> FLAVOURED = new WeakHashMap<>();

    private final Btf vmlinux;
    private final Supplier<List<Btf>> modules;
    private volatile List<Btf> loadedModules;

    private CoreTarget(Btf vmlinux, Supplier<List<Btf>> modules) {
        this.vmlinux = Objects.requireNonNull(vmlinux, "vmlinux");
        this.modules = modules;
    }

    /** The running kernel's vmlinux BTF, without modules. */
    public static CoreTarget kernel() {
        return of(Btf.kernel());
    }

    /**
     * The running kernel's vmlinux BTF and the BTF of every loaded module
     * ({@code /sys/kernel/btf/*}), the modules read only if a relocation needs them.
     */
    public static CoreTarget kernelWithModules() {
        Btf vmlinux = Btf.kernel();
        return new CoreTarget(vmlinux, CoreTarget::loadedModuleBtfs);
    }

    /** Relocate against {@code vmlinux} alone (e.g. another kernel's BTF read from a file). */
    public static CoreTarget of(Btf vmlinux) {
        return new CoreTarget(vmlinux, List::of);
    }

    /** Relocate against {@code vmlinux} and these modules (split BTF over {@code vmlinux}). */
    public static CoreTarget of(Btf vmlinux, List<Btf> modules) {
        List<Btf> copy = List.copyOf(modules);
        for (Btf m : copy) {
            if (m.base() != vmlinux) {
                throw new IllegalArgumentException("module BTF must be split BTF over the given vmlinux BTF");
            }
        }
        return new CoreTarget(vmlinux, () -> copy);
    }

    /** The vmlinux BTF. */
    public Btf vmlinux() {
        return vmlinux;
    }

    /** The module BTFs searched after vmlinux (reads them if not yet read). */
    public List<Btf> modules() {
        List<Btf> m = loadedModules;
        if (m == null) {
            synchronized (this) {
                m = loadedModules;
                if (m == null) {
                    m = List.copyOf(modules.get());
                    loadedModules = m;
                }
            }
        }
        return m;
    }

    private static List<Btf> loadedModuleBtfs() {
        List<Btf> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(KERNEL_BTF_DIR)) {
            List<String> names = new ArrayList<>();
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (!name.equals("vmlinux")) names.add(name);
            }
            names.sort(null); // a stable order, so ambiguity reports do not vary between runs
            for (String name : names) out.add(Btf.kernelModule(name));
        } catch (IOException e) {
            throw new FormatException("cannot list " + KERNEL_BTF_DIR + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** A type of the target that a local type may correspond to. */
    record Candidate(Btf btf, int id) {}

    /**
     * Types of kind compatible with {@code kind} whose essential name is {@code essentialName}:
     * vmlinux's, else the modules' own types.
     */
    List<Candidate> candidates(String essentialName, BtfKind kind) {
        List<Candidate> out = new ArrayList<>(2);
        collect(vmlinux, essentialName, kind, out);
        if (out.isEmpty()) {
            for (Btf module : modules()) collect(module, essentialName, kind, out);
        }
        return out;
    }

    private static void collect(Btf btf, String essentialName, BtfKind kind, List<Candidate> out) {
        int first = btf.firstTypeId();
        for (int id : btf.lookup(essentialName)) {
            if (id >= first && CoreTypes.kindsCompatible(kind, btf.kind(id))) out.add(new Candidate(btf, id));
        }
        for (BtfKind k : kind == BtfKind.ENUM || kind == BtfKind.ENUM64
                ? List.of(BtfKind.ENUM, BtfKind.ENUM64) : List.of(kind)) {
            int[] flavoured = flavoured(btf, k).get(essentialName);
            if (flavoured != null) {
                for (int id : flavoured) out.add(new Candidate(btf, id));
            }
        }
    }

    /** The BTF's own flavoured names of one kind, indexed once per BTF and kind. */
    private static Map<String, int[]> flavoured(Btf btf, BtfKind kind) {
        synchronized (FLAVOURED) {
            Map<String, int[]> cached = FLAVOURED.computeIfAbsent(btf, b -> new EnumMap<>(BtfKind.class)).get(kind);
            if (cached != null) return cached;
        }
        Map<String, int[]> index = new HashMap<>();
        int end = btf.typeCount();
        for (int id = btf.firstTypeId(); id < end; id++) {
            if (btf.kind(id) != kind) continue;
            String name = btf.name(id);
            if (name.length() < 5 || name.indexOf("___") < 0) continue;
            int n = CoreTypes.essentialLength(name);
            if (n == name.length()) continue;
            index.merge(name.substring(0, n), new int[] {id}, CoreTarget::concat);
        }
        synchronized (FLAVOURED) {
            Map<String, int[]> raced = FLAVOURED.computeIfAbsent(btf, b -> new EnumMap<>(BtfKind.class))
                    .putIfAbsent(kind, index);
            return raced != null ? raced : index;
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Override
    public String toString() {
        List<Btf> m = loadedModules;
        return "CoreTarget[vmlinux, " + (m == null ? "modules not read" : m.size() + " modules") + "]";
    }
}
