package dev.jbcc.testing;

import dev.jbcc.compile.ClangCompiler;
import dev.jbcc.compile.Source;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.ObjectReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Compiles a test program from the class path (resources/bpf/...) with clang and parses it. */
public final class BpfObjects {
    private BpfObjects() {}

    /** {@code resource} is relative to /bpf/, e.g. "events/ringbuf.c". */
    public static CollectionSpec compile(String resource) {
        try (InputStream in = BpfObjects.class.getResourceAsStream("/bpf/" + resource)) {
            if (in == null) throw new IllegalArgumentException("no test program /bpf/" + resource);
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String name = resource.substring(resource.lastIndexOf('/') + 1);
            byte[] elf = ClangCompiler.create().compile(Source.of(name, text), List.of()).elf();
            return ObjectReader.read(elf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
