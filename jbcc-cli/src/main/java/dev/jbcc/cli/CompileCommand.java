package dev.jbcc.cli;

import dev.jbcc.errors.FileAccessException;
import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.CompiledObject;
import dev.jbcc.compile.KernelHeaders;
import dev.jbcc.compile.Source;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jbcc compile prog.c -o prog.o}: C to a BPF object, with the running kernel's vmlinux.h. */
@Command(name = "compile", description = {
        "Compile a C file to a BPF ELF object (clang -target bpf -O2 -g).",
        "vmlinux.h (the running kernel's types) and libbpf's <bpf/bpf_helpers.h> are on the include path."})
final class CompileCommand implements Runnable {

    @CommandLine.Mixin
    CommonOptions common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.c", description = "The C source.")
    Path source;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.o",
            description = "Where to write the object (default: the source's name with .o, in the current directory).")
    Path output;

    @Option(names = {"-D", "--define"}, paramLabel = "NAME[=VALUE]", description = "Define a macro.")
    List<String> defines = new ArrayList<>();

    @Option(names = {"-I", "--include"}, paramLabel = "DIR", description = "Add an include directory.")
    List<Path> includes = new ArrayList<>();

    @Option(names = "--cflag", paramLabel = "FLAG", description = "Pass a flag to clang, e.g. --cflag=-Wall.")
    List<String> cflags = new ArrayList<>();

    @Option(names = "--btf", paramLabel = "FILE",
            description = "Generate vmlinux.h from this raw BTF file instead of the running kernel's.")
    Path btf;

    @Option(names = "--no-vmlinux", description = "Do not put a vmlinux.h on the include path.")
    boolean noVmlinux;

    @Option(names = "--no-cache", description = "Always run clang; do not read or write the object cache.")
    boolean noCache;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "The cache directory (default: $XDG_CACHE_HOME/jbcc or ~/.cache/jbcc).")
    Path cacheDir;

    @Override
    public void run() {
        KernelHeaders headers = noVmlinux ? KernelHeaders.none()
                : btf != null ? KernelHeaders.fromBtf(btf) : KernelHeaders.runningKernel();
        var compiler = ClangCompiler.create(ClangCompiler.Options.defaults()
                .withKernelHeaders(headers)
                .withUseCache(!noCache)
                .withCacheDirectory(cacheDir));
        var flags = new ArrayList<String>();
        for (String d : defines) flags.add("-D" + d);
        for (Path i : includes) flags.add("-I" + i);
        flags.addAll(cflags);

        CompiledObject object = compiler.compile(Source.read(source), flags);
        Path target = output != null ? output : Path.of(objectName(source));
        try {
            Files.write(target, object.elf());
        } catch (IOException e) {
            throw FileAccessException.of("write", target, e);
        }
        var err = spec.commandLine().getErr();
        if (!object.warnings().isBlank()) err.print(object.warnings());
        if (spec.commandLine().getParseResult().hasMatchedOption("--verbose")) { // jbcc's -v: which clang ran, or the cache
            err.println("jbcc: " + target + " (" + object.elf().length + " bytes) "
                    + (object.cached() ? "from the cache" : "by " + compiler.clang().version()));
        }
        err.flush();
    }

    /** prog.c → prog.o, in the current directory, as {@code cc -c} does. */
    static String objectName(Path source) {
        String name = source.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + ".o";
    }
}
