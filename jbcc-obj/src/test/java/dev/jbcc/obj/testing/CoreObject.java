package dev.jbcc.obj.testing;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfExt;
import dev.jbcc.btf.BtfType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A BPF object compiled in the test with {@code clang-19 -target bpf -O2 -g}, its {@code .BTF},
 * {@code .BTF.ext} and one code section extracted with {@code llvm-objcopy-19}.
 */
public record CoreObject(byte[] elf, Btf btf, BtfExt ext, byte[] code) {
    public static final String CLANG = "/usr/bin/clang-19";
    public static final String OBJCOPY = "/usr/bin/llvm-objcopy-19";

    /** Compiles test resource {@code bpf/core/<name>.c}; {@code code} is section {@code codeSection}. */
    public static CoreObject compile(Path dir, String name, String codeSection) throws IOException, InterruptedException {
        String source;
        try (InputStream in = CoreObject.class.getResourceAsStream("/bpf/core/" + name + ".c")) {
            assertNotNull(in, "test resource bpf/core/" + name + ".c");
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return compileSource(dir, name, source, codeSection);
    }

    public static CoreObject compileSource(Path dir, String name, String source, String codeSection)
            throws IOException, InterruptedException {
        Path c = dir.resolve(name + ".c");
        Files.writeString(c, source);
        Path o = dir.resolve(name + ".o");
        run(dir, List.of(CLANG, "-target", "bpf", "-O2", "-g", "-I/usr/include/x86_64-linux-gnu", "-c",
                c.toString(), "-o", o.toString()));
        Btf btf = Btf.parse(section(o, ".BTF"));
        BtfExt ext = BtfExt.parse(section(o, ".BTF.ext"), btf);
        return new CoreObject(Files.readAllBytes(o), btf, ext, section(o, codeSection));
    }

    /** The CO-RE relocations of the code section. */
    public List<BtfExt.CoreRelo> relocations(String codeSection) {
        return ext.coreRelos().getOrDefault(codeSection, List.of());
    }

    /** The first slot of function {@code name} in the code section, from func_info. */
    int functionSlot(String codeSection, String name) {
        for (BtfExt.FuncInfo f : ext.funcInfos().getOrDefault(codeSection, List.of())) {
            if (btf.type(f.typeId(), BtfType.Func.class).name().equals(name)) return f.insnOff() / 8;
        }
        throw new AssertionError("no function " + name + " in section " + codeSection);
    }

    private static byte[] section(Path object, String section) throws IOException, InterruptedException {
        Path out = Files.createTempFile(object.getParent(), "section", ".bin");
        run(object.getParent(), List.of(OBJCOPY, "--dump-section", section + "=" + out, object.toString(),
                object.getParent().resolve("objcopy-discard.o").toString()));
        return Files.readAllBytes(out);
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "tool", ".log");
        Process p = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + readQuietly(log));
    }

    private static String readQuietly(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
