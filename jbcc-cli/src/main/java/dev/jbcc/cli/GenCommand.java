package dev.jbcc.cli;

import dev.jbcc.errors.FileAccessException;
import dev.jbcc.gen.SkeletonGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jbcc gen …}: code generated from BPF objects, for build tools other than Maven. */
@Command(name = "gen", description = "Generate Java code from BPF objects.",
        subcommands = {GenCommand.Skeleton.class})
final class GenCommand extends CommandGroup {

    /** {@code jbcc gen skeleton obj.o --package p --out dir}: the typed skeleton of one object. */
    @Command(name = "skeleton", description = {
            "Generate the typed Java skeleton of a BPF object (compiled with -g).",
            "It is a class named after the object with load(), typed program handles, maps, events and globals.",
            "The class loads the object as a resource of its package: --resources copies it there."})
    static final class Skeleton implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        CommonOptions common;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "OBJ.o", description = "The BPF object.")
        Path object;

        @Option(names = "--package", paramLabel = "NAME", required = true, description = "The Java package.")
        String packageName;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "The source root to write to.")
        Path out;

        @Option(names = "--class", paramLabel = "NAME", description = "The class name (default: from the object's name).")
        String className;

        @Option(names = "--resources", paramLabel = "DIR",
                description = "A resource root to copy the object into, under the package's directory.")
        Path resources;

        @Option(names = "--event", paramLabel = "MAP=STRUCT",
                description = "Decode ring/perf buffer MAP's events as struct STRUCT (for maps without a jbcc.record tag).")
        Map<String, String> events = new LinkedHashMap<>();

        @Override
        public Integer call() {
            byte[] elf;
            try {
                elf = Files.readAllBytes(object);
            } catch (IOException e) {
                throw FileAccessException.of("read", object, e);
            }
            var options = SkeletonGenerator.Options.of(packageName).withClassName(className);
            for (var e : events.entrySet()) options = options.withEventType(e.getKey(), e.getValue());
            SkeletonGenerator.JavaFile file = SkeletonGenerator.generate(elf, object.getFileName().toString(), options);
            try {
                file.writeTo(out);
            } catch (IOException e) {
                throw FileAccessException.of("write", file.path(out), e);
            }
            var err = spec.commandLine().getErr();
            err.println("jbcc: wrote " + file.path(out));
            if (resources != null) {
                Path dir = resources.resolve(packageName.replace('.', '/'));
                try {
                    Files.createDirectories(dir);
                    Files.copy(object, dir.resolve(file.objectName()), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw FileAccessException.of("copy the object to", dir, e);
                }
                err.println("jbcc: copied the object to " + dir.resolve(file.objectName()));
            } else {
                err.println("jbcc: put " + object + " on the class path as " + packageName.replace('.', '/') + "/"
                        + file.objectName() + " (or pass --resources DIR)");
            }
            err.flush();
            return 0;
        }
    }
}
