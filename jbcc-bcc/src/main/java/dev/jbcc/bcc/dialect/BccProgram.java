package dev.jbcc.bcc.dialect;

import dev.jbcc.compile.CompiledObject;
import dev.jbcc.errors.NotFoundException;
import dev.jbcc.spec.CollectionSpec;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A bcc-dialect program compiled to a BPF object, with what a bcc front-end needs to drive it.
 *
 * @param sourceName the user's file name (or a name given to text)
 * @param source     the program as the user wrote it
 * @param rewritten  the C that clang compiled (for bcc's DEBUG_SOURCE); line N is the user's line N
 * @param object     the compiled object (from the compile cache when {@link CompiledObject#cached()})
 * @param spec       the object parsed, ready for {@code Collection.load}
 * @param functions  the program functions, in source order
 * @param tables     the tables by name, in declaration order
 * @param sourceMap  rewritten lines to user lines
 * @param timings    where the compile spent its time
 */
public record BccProgram(String sourceName, String source, String rewritten, CompiledObject object, CollectionSpec spec,
                         List<BccFunction> functions, Map<String, BccTable> tables, SourceMap sourceMap,
                         Timings timings) {

    public BccProgram {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(spec, "spec");
        functions = List.copyOf(functions);
        tables = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tables));
    }

    /**
     * @param rewrite     the textual pre-pass and the AST pass, including clang's AST dump
     * @param astDump     of which clang's syntax-only run with the AST dump
     * @param compile     clang's compile (near zero on a cache hit) and reading the object
     */
    public record Timings(Duration rewrite, Duration astDump, Duration compile) {
        public Duration total() {
            return rewrite.plus(compile);
        }
    }

    /** The function called {@code name}. */
    public BccFunction function(String name) {
        return functions.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() ->
                new NotFoundException("no function " + name + " in " + sourceName + "; it has "
                        + functions.stream().map(BccFunction::name).toList()));
    }

    /** The table called {@code name}. */
    public BccTable table(String name) {
        BccTable t = tables.get(name);
        if (t == null) throw new NotFoundException("no table " + name + " in " + sourceName + "; it has " + tables.keySet());
        return t;
    }
}
