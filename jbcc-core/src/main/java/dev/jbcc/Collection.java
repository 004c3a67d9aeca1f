package dev.jbcc;

import dev.jbcc.errors.NotFoundException;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.VariableSpec;

import java.lang.foreign.MemorySegment;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The maps and programs of one object, loaded into the kernel together. Loading is
 * all-or-nothing: when anything fails, everything created so far is closed. {@link #close()}
 * closes what the collection still owns; {@link #detachMap} and {@link #detachProgram} hand an
 * object over to the caller.
 */
public final class Collection implements AutoCloseable {
    private final Map<String, BpfMap> maps;
    private final Map<String, Program> programs;
    private final Map<String, VariableSpec> variables;

    Collection(Map<String, BpfMap> maps, Map<String, Program> programs, Map<String, VariableSpec> variables) {
        this.maps = Collections.synchronizedMap(new LinkedHashMap<>(maps));
        this.programs = Collections.synchronizedMap(new LinkedHashMap<>(programs));
        this.variables = Map.copyOf(variables);
    }

    /** Creates the maps, resolves every reference and loads the programs of {@code spec}. */
    public static Collection load(CollectionSpec spec) {
        return load(spec, CollectionOptions.defaults());
    }

    public static Collection load(CollectionSpec spec, CollectionOptions options) {
        return new CollectionLoader(spec, options).load();
    }

    /** The maps by name (global data maps by their section name, e.g. ".bss"). */
    public Map<String, BpfMap> maps() {
        return Collections.unmodifiableMap(maps);
    }

    public Map<String, Program> programs() {
        return Collections.unmodifiableMap(programs);
    }

    public BpfMap map(String name) {
        BpfMap m = maps.get(name);
        if (m == null) throw new NotFoundException("no map " + name + " in this collection; it has " + maps.keySet());
        return m;
    }

    public Program program(String name) {
        Program p = programs.get(name);
        if (p == null) {
            throw new NotFoundException("no program " + name + " in this collection; it has " + programs.keySet());
        }
        return p;
    }

    /**
     * A global variable's memory, mapped from its data map: reads see what programs wrote and
     * writes are seen by programs. Variables in {@code .rodata} are read-only after load.
     */
    public MemorySegment variable(String name) {
        VariableSpec v = variables.get(name);
        if (v == null) {
            throw new NotFoundException("no global variable " + name + " in this collection; it has "
                    + variables.keySet());
        }
        return map(v.section()).mmap().asSlice(v.offset(), v.size());
    }

    /** Removes the map from this collection: the caller now owns it and must close it. */
    public BpfMap detachMap(String name) {
        BpfMap m = maps.remove(name);
        if (m == null) throw new NotFoundException("no map " + name + " in this collection");
        return m;
    }

    /** Removes the program from this collection: the caller now owns it and must close it. */
    public Program detachProgram(String name) {
        Program p = programs.remove(name);
        if (p == null) throw new NotFoundException("no program " + name + " in this collection");
        return p;
    }

    /**
     * Closes every program and map still owned. Idempotent. The first failure is thrown after
     * everything was closed, with the later ones added to it as suppressed.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        synchronized (programs) {
            for (Program p : programs.values()) failure = close(p::close, failure);
            programs.clear();
        }
        synchronized (maps) {
            for (BpfMap m : maps.values()) failure = close(m::close, failure);
            maps.clear();
        }
        if (failure != null) throw failure;
    }

    /** Runs {@code close}; returns the first failure so far, with a later one suppressed in it. */
    private static RuntimeException close(Runnable close, RuntimeException failure) {
        try {
            close.run();
        } catch (RuntimeException e) {
            if (failure == null) return e;
            failure.addSuppressed(e);
        }
        return failure;
    }

    @Override
    public String toString() {
        return "Collection[maps " + maps.keySet() + ", programs " + programs.keySet() + "]";
    }

    /** Whether {@code spec} is a global data map (.data, .rodata, .bss, .kconfig and named variants). */
    static boolean isDataMap(MapSpec spec) {
        return spec.name().startsWith(".");
    }
}
