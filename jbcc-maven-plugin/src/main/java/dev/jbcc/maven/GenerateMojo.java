package dev.jbcc.maven;

import dev.jbcc.errors.BpfException;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.CompiledObject;
import dev.jbcc.compile.KernelHeaders;
import dev.jbcc.compile.Source;
import dev.jbcc.gen.SkeletonGenerator;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compiles {@code src/main/bpf/**}{@code /*.bpf.c} with clang into BPF objects, embeds them as
 * resources and generates a typed skeleton class per object into
 * {@code target/generated-sources/jbcc}.
 *
 * <p>The C sees a {@code vmlinux.h}: the one the project commits in the source directory, or else
 * one made from the build machine's BTF ({@code /sys/kernel/btf/vmlinux}). The build is
 * incremental: an object whose source, headers, flags and {@code vmlinux.h} are unchanged is not
 * compiled again.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractMojo {
    /** Bumped when what goes into an object changes, so old stamps stop matching. */
    private static final String STAMP_FORMAT = "jbcc-maven-1";

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    /** Where the {@code *.bpf.c} files are; a {@code vmlinux.h} here is used instead of a generated one. */
    @Parameter(defaultValue = "${project.basedir}/src/main/bpf")
    private File sourceDirectory;

    /** The Java package of the skeletons (sources in subdirectories get subpackages). */
    @Parameter(required = true)
    private String packageName;

    @Parameter(defaultValue = "${project.build.directory}/generated-sources/jbcc")
    private File generatedSources;

    @Parameter(defaultValue = "${project.build.directory}/generated-resources/jbcc")
    private File generatedResources;

    /** A raw BTF file to make vmlinux.h from, instead of the build machine's kernel. */
    @Parameter
    private File btf;

    /**
     * Ring or perf buffer map name → the C struct its events are, for maps that no
     * {@code jbcc.record:} tag names (see {@link SkeletonGenerator}); e.g.
     * {@code <eventTypes><events>event</events></eventTypes>}.
     */
    @Parameter
    private Map<String, String> eventTypes = new LinkedHashMap<>();

    /** Extra clang flags, e.g. {@code -DDEBUG=1}. */
    @Parameter
    private List<String> cflags = new ArrayList<>();

    @Parameter(defaultValue = "${project.build.directory}/jbcc")
    private File workDirectory;

    /**
     * clang's object cache and the generated vmlinux.h (default: under {@code target/jbcc}); a
     * directory shared across builds makes a clean build skip clang for sources it has seen.
     */
    @Parameter(property = "jbcc.cacheDirectory")
    private File cacheDirectory;

    @Parameter(property = "jbcc.skip", defaultValue = "false")
    private boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("jbcc: skipped");
            return;
        }
        Path sources = sourceDirectory.toPath();
        if (!Files.isDirectory(sources)) {
            getLog().info("jbcc: no " + sources + ", nothing to compile");
            return;
        }
        try {
            List<Path> files = bpfSources(sources);
            run(sources, files);
        } catch (IOException e) {
            throw new MojoExecutionException("jbcc: " + e.getMessage(), e);
        } catch (BpfException e) {
            throw new MojoFailureException("jbcc: " + e.getMessage(), e);
        }
        project.addCompileSourceRoot(generatedSources.getAbsolutePath());
        Resource resource = new Resource();
        resource.setDirectory(generatedResources.getAbsolutePath());
        project.addResource(resource);
    }

    private void run(Path sources, List<Path> files) throws IOException, MojoFailureException {
        Path committedHeader = sources.resolve("vmlinux.h");
        KernelHeaders headers = Files.isRegularFile(committedHeader) ? KernelHeaders.directory(sources)
                : btf != null ? KernelHeaders.fromBtf(btf.toPath()) : KernelHeaders.runningKernel();
        Path btfFile = btf != null ? btf.toPath() : KernelHeaders.KERNEL_BTF;
        if (!Files.isRegularFile(committedHeader) && !Files.isReadable(btfFile)) {
            throw new MojoFailureException("jbcc: " + btfFile + " is not readable, so there is no BTF to make vmlinux.h"
                    + " from; commit one as " + committedHeader + " (jbcc btf dump > vmlinux.h) or set <btf>");
        }
        getLog().info(Files.isRegularFile(committedHeader) ? "jbcc: using the committed " + committedHeader
                : "jbcc: using a vmlinux.h made from " + btfFile);
        String environment = STAMP_FORMAT + "\0" + String.join("\0", cflags) + "\0"
                + (Files.isRegularFile(committedHeader) ? digest(Files.readAllBytes(committedHeader)) : digest(Files.readAllBytes(btfFile)))
                + "\0" + headerDigest(sources);
        ClangCompiler compiler = null; // created on first use: an up-to-date build needs no clang
        int compiled = 0, upToDate = 0;
        for (Path file : files) {
            Path relative = sources.relativize(file);
            String objectName = file.getFileName().toString().replaceFirst("\\.c$", ".o");
            String pkg = packageOf(relative);
            Path object = generatedResources.toPath().resolve(pkg.replace('.', '/')).resolve(objectName);
            Path stamp = workDirectory.toPath().resolve(relative + ".stamp");
            String want = digest((environment + "\0" + Files.readString(file)).getBytes(StandardCharsets.UTF_8));
            byte[] elf;
            if (Files.isRegularFile(object) && Files.isRegularFile(stamp) && Files.readString(stamp).equals(want)) {
                elf = Files.readAllBytes(object);
                upToDate++;
            } else {
                if (compiler == null) compiler = compiler(headers);
                var flags = new ArrayList<String>();
                // The sources are files, so BTF line info reads them from disk; embedding them
                // (and vmlinux.h) in DWARF would make each resource megabytes.
                flags.add("-gno-embed-source");
                flags.addAll(cflags);
                CompiledObject result = compiler.compile(Source.read(file), flags);
                if (!result.warnings().isBlank()) getLog().warn(result.warnings().strip());
                elf = result.elf();
                Files.createDirectories(object.getParent());
                Files.write(object, elf);
                Files.createDirectories(stamp.getParent());
                Files.writeString(stamp, want);
                getLog().info("jbcc: compiled " + relative + " (" + elf.length + " bytes)");
                compiled++;
            }
            var options = SkeletonGenerator.Options.of(pkg);
            for (var e : eventTypes.entrySet()) options = options.withEventType(e.getKey(), e.getValue());
            SkeletonGenerator.JavaFile java = SkeletonGenerator.generate(elf, objectName, options);
            if (java.writeTo(generatedSources.toPath())) getLog().info("jbcc: generated " + pkg + "." + java.simpleName());
        }
        getLog().info("jbcc: " + files.size() + " BPF source(s): " + compiled + " compiled, " + upToDate + " up to date");
    }

    private ClangCompiler compiler(KernelHeaders headers) {
        return ClangCompiler.create(ClangCompiler.Options.defaults()
                .withKernelHeaders(headers)
                .withCacheDirectory(cacheDirectory != null ? cacheDirectory.toPath() : workDirectory.toPath().resolve("cache")));
    }

    private String packageOf(Path relative) {
        Path dir = relative.getParent();
        if (dir == null) return packageName;
        var pkg = new StringBuilder(packageName);
        for (Path part : dir) pkg.append('.').append(part.toString().replaceAll("[^A-Za-z0-9_]", "_"));
        return pkg.toString();
    }

    private static List<Path> bpfSources(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".bpf.c") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    /** Every header under the source directory: a change to one recompiles every object. */
    private static String headerDigest(Path root) throws IOException {
        var all = new StringBuilder();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path h : walk.filter(p -> p.toString().endsWith(".h") && !p.getFileName().toString().equals("vmlinux.h"))
                    .sorted().toList()) {
                all.append(root.relativize(h)).append('\0').append(digest(Files.readAllBytes(h))).append('\0');
            }
        }
        return digest(all.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
