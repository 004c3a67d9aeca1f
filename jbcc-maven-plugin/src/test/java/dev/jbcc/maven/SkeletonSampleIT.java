package dev.jbcc.maven;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfHeaderWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Builds {@code samples/skeleton} with a child {@code mvn} (offline, a private local repository
 * holding this reactor's artifacts, everything else read from the user's repository through a
 * {@code file:} mirror, so the shared repository is never written), then runs the sample's main on
 * the host kernel, opens files it watches and compares the printed records with what was opened.
 * A second project ({@value #COMMITTED_HEADER}) checks a committed vmlinux.h and {@code <eventTypes>}.
 */
class SkeletonSampleIT {
    private static final String PACKAGE_DIR = "dev/jbcc/samples/skeleton";
    private static Path root, it, project, objJar, coreJar;
    /** The second project: a committed vmlinux.h and {@code <eventTypes>} in its pom. */
    private static final String COMMITTED_HEADER = "jbcc-maven-plugin/src/it/committed-header";
    private static String version;

    @BeforeAll
    static void build() throws Exception {
        root = Path.of(property("jbcc.root"));
        it = Path.of(property("jbcc.itDirectory"));
        version = property("jbcc.version");
        Path repo = it.resolve("repo");
        install(repo, "jbcc-parent", root.resolve("pom.xml"), null);
        install(repo, "jbcc-bom", root.resolve("jbcc-bom/pom.xml"), null);
        objJar = moduleJar("jbcc-obj");
        install(repo, "jbcc-obj", root.resolve("jbcc-obj/pom.xml"), objJar);
        coreJar = moduleJar("jbcc-core");
        install(repo, "jbcc-core", root.resolve("jbcc-core/pom.xml"), coreJar);
        install(repo, "jbcc-gen", root.resolve("jbcc-gen/pom.xml"), moduleJar("jbcc-gen"));
        install(repo, "jbcc-maven-plugin", root.resolve("jbcc-maven-plugin/pom.xml"), Path.of(property("jbcc.pluginJar")));

        project = it.resolve("skeleton");
        deleteTree(project);
        copyTree(root.resolve("samples/skeleton"), project);
        Path settings = it.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <mirrors>
                    <mirror><id>user-repository</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(Path.of(property("jbcc.userRepository")).toUri()));
    }

    @Test
    void buildsIncrementallyAndDecodesWhatTheKernelWrote() throws Exception {
        long t0 = System.nanoTime();
        String first = mvn(project, "compile");
        Path object = project.resolve("target/classes/" + PACKAGE_DIR + "/opensnoop.bpf.o");
        assertTrue(Files.isRegularFile(object), "the object is embedded as a resource:\n" + first);
        assertTrue(Files.isRegularFile(project.resolve("target/generated-sources/jbcc/" + PACKAGE_DIR + "/Opensnoop.java")));
        assertTrue(Files.isRegularFile(project.resolve("target/classes/" + PACKAGE_DIR + "/Opensnoop$Event.class")),
                "the generated skeleton compiles");
        assertTrue(first.contains("1 compiled, 0 up to date"), first);
        long t1 = System.nanoTime();

        FileTime compiledAt = Files.getLastModifiedTime(project.resolve("target/generated-resources/jbcc/" + PACKAGE_DIR
                + "/opensnoop.bpf.o"));
        // Only the goal: the check needs neither resources nor javac, and the run is quicker.
        String second = mvn(project, "dev.jbcc:jbcc-maven-plugin:" + version + ":generate");
        assertTrue(second.contains("0 compiled, 1 up to date"), "an unchanged source is not compiled again:\n" + second);
        assertEquals(compiledAt, Files.getLastModifiedTime(project.resolve("target/generated-resources/jbcc/"
                + PACKAGE_DIR + "/opensnoop.bpf.o")));
        long t2 = System.nanoTime();
        System.out.printf("SkeletonSampleIT: first build %d ms, incremental build %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);

        runSample();
    }

    /**
     * A project that commits its vmlinux.h (written here from the kernel's BTF, with a define no
     * generated header has, and the pom's {@code <btf>} names a file that does not exist) and names
     * its ring buffer's struct with {@code <eventTypes>}; its skeleton runs in this JVM.
     */
    @Test
    void usesTheCommittedVmlinuxHAndThePomsEventTypes() throws Exception {
        Path dir = it.resolve("committed-header");
        deleteTree(dir);
        copyTree(root.resolve(COMMITTED_HEADER), dir);
        Path header = dir.resolve("src/main/bpf/vmlinux.h");
        try (var out = Files.newBufferedWriter(header)) {
            out.write("#define JBCC_IT_COMMITTED_VMLINUX 1 /* tidwatch.bpf.c fails to compile without it */\n");
            new BtfHeaderWriter(Btf.kernel()).write(out);
        }
        long t0 = System.nanoTime();
        String log = mvn(dir, "compile");
        System.out.printf("SkeletonSampleIT: committed-header build %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTrue(log.contains("jbcc: using the committed " + header), log);
        assertTrue(log.contains("1 compiled, 0 up to date"), log);

        Path file = Files.createTempDirectory("jbcc-ch").resolve("f");
        try (var loader = new URLClassLoader(new URL[]{dir.resolve("target/classes").toUri().toURL()},
                SkeletonSampleIT.class.getClassLoader())) {
            Class<?> opened = loader.loadClass("dev.jbcc.it.Tidwatch$Opened");
            assertTrue(opened.isRecord(), opened + " is the record of struct opened");
            assertEquals(List.of("pid", "tid", "comm", "filename"),
                    Arrays.stream(opened.getRecordComponents()).map(RecordComponent::getName).toList());
            String thread = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // PID/task/TID
            int tid = Integer.parseInt(thread.substring(thread.lastIndexOf('/') + 1));
            String comm = Files.readString(Path.of("/proc/thread-self/comm")).strip();
            Runnable open = () -> {
                try {
                    Files.write(file, new byte[]{1});
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            List<?> events = (List<?>) loader.loadClass("dev.jbcc.it.Capture").getMethod("opens", int.class, Runnable.class)
                    .invoke(null, tid, open);
            var mine = new ArrayList<Map<String, Object>>();
            for (Object e : events) {
                assertEquals(opened, e.getClass(), "the reader decodes into the record <eventTypes> names");
                var fields = new HashMap<String, Object>();
                for (RecordComponent c : opened.getRecordComponents()) fields.put(c.getName(), c.getAccessor().invoke(e));
                if (file.toString().equals(fields.get("filename"))) mine.add(fields);
            }
            assertEquals(1, mine.size(), "one openat of " + file + " among " + events);
            assertEquals(Map.of("pid", (int) ProcessHandle.current().pid(), "tid", tid, "comm", comm,
                    "filename", file.toString()), mine.getFirst());
        } finally {
            deleteTree(file.getParent());
        }
    }

    private void runSample() throws Exception {
        String nonce = Long.toHexString(System.nanoTime());
        Path dir = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("jbcc-skel-" + nonce);
        String prefix = dir + "/";
        assertTrue(prefix.length() <= 32, "the sample's prefix holds 32 bytes; java.io.tmpdir is too long: " + prefix);
        Files.createDirectories(dir);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                project.resolve("target/classes") + java.io.File.pathSeparator + coreJar + java.io.File.pathSeparator + objJar,
                "dev.jbcc.samples.skeleton.OpenWatch", prefix, "60")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            } catch (IOException e) {
                lines.add("read failed: " + e);
            }
            lines.add("<eof>");
        });
        try {
            String ready = next(lines);
            assertEquals("ready prefix=" + prefix, ready, "the .rodata prefix was set before load");

            Path file = dir.resolve("f.txt");
            String thread = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // PID/task/TID
            long tid = Long.parseLong(thread.substring(thread.lastIndexOf('/') + 1));
            String comm = Files.readString(Path.of("/proc/thread-self/comm")).strip();
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                out.write(1);
            }
            assertEquals(1, Files.readAllBytes(file).length);
            long pid = ProcessHandle.current().pid();
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            int gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");

            Map<String, String> write = fields(next(lines), "event");
            Map<String, String> read = fields(next(lines), "event");
            for (Map<String, String> e : List.of(write, read)) {
                assertEquals(String.valueOf(pid), e.get("pid"), e.toString());
                assertEquals(String.valueOf(tid), e.get("tid"), e.toString());
                assertEquals(String.valueOf(uid), e.get("uid"));
                assertEquals(String.valueOf(gid), e.get("gid"));
                assertEquals(comm, e.get("comm"));
                assertEquals(file.toString(), e.get("filename"));
                assertEquals("-100", e.get("dfd"), "AT_FDCWD");
                assertEquals("false", e.get("excl"));
                assertEquals("false", e.get("append"));
            }
            assertEquals("MODE_WRITE", write.get("mode"));
            assertEquals(1, Integer.parseInt(write.get("flags")) & 3);
            assertEquals("true", write.get("creat"));
            assertEquals("true", write.get("trunc"));
            assertEquals("1000", write.get("seq"), ".data seq_base set before load");
            assertEquals("MODE_READ", read.get("mode"));
            assertEquals(0, Integer.parseInt(read.get("flags")) & 3);
            assertEquals("false", read.get("creat"));
            assertEquals("false", read.get("trunc"));
            assertEquals("1001", read.get("seq"));

            p.getOutputStream().write('\n');
            p.getOutputStream().flush();
            Map<String, String> count = fields(next(lines), "count");
            assertEquals(Map.of("pid", String.valueOf(pid), "comm", comm, "n", "2"), count);
            assertEquals("matched 2", next(lines), ".bss read over mmap");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            deleteTree(dir);
        }
    }

    private static String next(BlockingQueue<String> lines) throws InterruptedException {
        String line = lines.poll(60, TimeUnit.SECONDS);
        if (line == null) fail("the sample printed nothing for 60 s");
        return line;
    }

    /** {@code kind a=1 b=2} → {a=1, b=2}. */
    private static Map<String, String> fields(String line, String kind) {
        assertTrue(line.startsWith(kind + " "), "expected a " + kind + " line, got: " + line);
        var out = new HashMap<String, String>();
        for (String part : line.substring(kind.length() + 1).split(" ")) {
            int eq = part.indexOf('=');
            out.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return out;
    }

    private static String mvn(Path project, String goal) throws Exception {
        var cmd = new ArrayList<>(List.of("mvn", "-B", "-o", "-Daether.offline.protocols=file",
                "-s", it.resolve("settings.xml").toString(),
                "-Dmaven.repo.local=" + it.resolve("repo"), "-Djbcc.version=" + version,
                // kept across runs: vmlinux.h is made once, clang runs once per source text
                "-Djbcc.cacheDirectory=" + it.resolve("cache"), goal));
        var pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path log = it.resolve(project.getFileName() + "-mvn.log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the sample's build took over 5 minutes; its log: " + log);
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), "the sample's build failed:\n" + out);
        return out;
    }

    private static Path moduleJar(String module) {
        Path jar = root.resolve(module + "/target/" + module + "-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is missing: run this test through the reactor (mvn -pl jbcc-maven-plugin -am verify)");
        }
        return jar;
    }

    /** Puts an artifact into a local repository as `mvn install` would, without touching the user's. */
    private static void install(Path repo, String artifact, Path pom, Path jar) throws IOException {
        Path dir = repo.resolve("dev/jbcc/" + artifact + "/" + version);
        Files.createDirectories(dir);
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) Files.copy(jar, dir.resolve(artifact + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dst);
                else Files.copy(p, dst, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) fail("system property " + name + " is not set: run through mvn verify");
        return value;
    }
}
