package dev.jbcc;

import dev.jbcc.errors.BpfException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The package layers of jbcc-obj and jbcc-core, read from their class files (every class named in
 * a constant pool or a descriptor counts): each package uses only its own layer and the layers
 * below, and no packages form a cycle. The object model names no native-access API.
 */
class PackageLayersTest {
    /** Lowest first, as README's layout table. A package not listed here fails the test: give it a layer. */
    private static final List<Set<String>> LAYERS = List.of(
            // the object model (module jbcc-obj): parsing and rewriting, no system call
            Set.of("dev.jbcc.errors"),
            Set.of("dev.jbcc.elf", "dev.jbcc.btf", "dev.jbcc.btf.core", "dev.jbcc.asm", "dev.jbcc.spec"),
            // the kernel's interfaces: system calls through FFM; the clang driver
            Set.of("dev.jbcc.internal.sys"),
            Set.of("dev.jbcc.compile", "dev.jbcc.compile.internal"),
            // kernel objects: what the kernel offers; maps, programs, collections
            Set.of("dev.jbcc.features"),
            Set.of("dev.jbcc"),
            // events, then the attach kinds and what they use
            Set.of("dev.jbcc.ringbuf", "dev.jbcc.perf", "dev.jbcc.trace"),
            Set.of("dev.jbcc.netlink"),
            Set.of("dev.jbcc.usdt", "dev.jbcc.symbols"),
            Set.of("dev.jbcc.link"));
    private static final Set<String> OBJECT_MODEL = Set.of("dev.jbcc.errors", "dev.jbcc.elf", "dev.jbcc.btf",
            "dev.jbcc.btf.core", "dev.jbcc.asm", "dev.jbcc.spec");
    private static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L(dev/jbcc/[\\w/$]+)[;<]");

    /** Package → packages it uses, with one class of each edge as an example. */
    private static final Map<String, Map<String, String>> uses = new TreeMap<>();
    /** Package → JDK native-access types it names. */
    private static final Map<String, Set<String>> nativeAccess = new TreeMap<>();

    @BeforeAll
    static void readClassFiles() {
        // Each module's classes: a directory (mvn test) or its jar (mvn verify).
        for (Class<?> inModule : List.of(BpfException.class, BpfMap.class)) {
            Path location = classRoot(inModule);
            try (FileSystem jar = Files.isDirectory(location) ? null : FileSystems.newFileSystem(location)) {
                Path root = jar == null ? location : jar.getPath("/");
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                        if (f.getFileName().toString().equals("module-info.class")) continue;
                        read(ClassFile.of().parse(Files.readAllBytes(f)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Path classRoot(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static void read(ClassModel model) {
        String self = model.thisClass().asInternalName();
        String from = packageOf(self);
        Map<String, String> edges = uses.computeIfAbsent(from, _ -> new TreeMap<>());
        for (PoolEntry e : model.constantPool()) {
            List<String> named = new ArrayList<>();
            if (e instanceof ClassEntry c) {
                String n = c.asInternalName();
                if (n.startsWith("[")) {
                    Matcher m = TYPE_IN_DESCRIPTOR.matcher(n);
                    while (m.find()) named.add(m.group(1));
                } else {
                    named.add(n);
                }
            } else if (e instanceof Utf8Entry u) {
                Matcher m = TYPE_IN_DESCRIPTOR.matcher(u.stringValue());
                while (m.find()) named.add(m.group(1));
            }
            for (String n : named) {
                if (n.startsWith("java/lang/foreign/Linker") || n.startsWith("java/lang/foreign/SymbolLookup")) {
                    nativeAccess.computeIfAbsent(from, _ -> new TreeSet<>()).add(n.replace('/', '.'));
                }
                if (!n.startsWith("dev/jbcc/")) continue;
                String to = packageOf(n);
                if (!to.equals(from)) edges.putIfAbsent(to, self.replace('/', '.') + " → " + n.replace('/', '.'));
            }
        }
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return internalName.substring(0, slash).replace('/', '.');
    }

    private static int layerOf(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) return i;
        }
        return -1;
    }

    @Test
    void everyPackageHasALayer() {
        List<String> unplaced = uses.keySet().stream().filter(p -> layerOf(p) < 0).toList();
        assertEquals(List.of(), unplaced, "packages with no layer in PackageLayersTest.LAYERS");
    }

    @Test
    void packagesUseOnlyTheirLayerAndTheLayersBelow() {
        List<String> upward = new ArrayList<>();
        uses.forEach((from, edges) -> edges.forEach((to, example) -> {
            if (layerOf(to) > layerOf(from)) upward.add(from + " → " + to + " (" + example + ")");
        }));
        assertEquals(List.of(), upward, "uses of a higher layer");
    }

    @Test
    void theObjectModelNamesNoNativeAccess() {
        List<String> found = new ArrayList<>();
        nativeAccess.forEach((pkg, types) -> {
            if (OBJECT_MODEL.contains(pkg)) found.add(pkg + " uses " + types);
        });
        assertEquals(List.of(), found, "the object model (jbcc-obj) makes no native calls");
        assertFalse(nativeAccess.isEmpty(), "the check sees internal.sys's Linker: " + uses.keySet());
    }

    @Test
    void noPackageCycles() {
        List<String> cycles = new ArrayList<>();
        for (Set<String> component : stronglyConnected()) {
            if (component.size() > 1) cycles.add(describe(component));
        }
        assertEquals(List.of(), cycles, "package cycles");
    }

    /** The cycle's edges with one example each. */
    private static String describe(Set<String> component) {
        StringBuilder sb = new StringBuilder(component.toString());
        for (String from : component) {
            uses.getOrDefault(from, Map.of()).forEach((to, example) -> {
                if (component.contains(to)) sb.append("\n  ").append(example);
            });
        }
        return sb.toString();
    }

    /** Tarjan's algorithm over the package graph. */
    private static List<Set<String>> stronglyConnected() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String v : uses.keySet()) {
            if (!index.containsKey(v)) connect(v, index, low, stack, onStack, out, next);
        }
        return out;
    }

    private static void connect(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                                Set<String> onStack, List<Set<String>> out, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : uses.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                connect(w, index, low, stack, onStack, out, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }
}
