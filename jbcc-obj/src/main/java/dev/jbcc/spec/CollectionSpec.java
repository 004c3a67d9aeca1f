package dev.jbcc.spec;

import dev.jbcc.btf.Btf;

import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import dev.jbcc.errors.NotFoundException;

/**
 * Everything an ELF object describes, parsed and kernel-independent: maps (BTF-defined, legacy and
 * global data), programs with their subprograms linked in, the object's BTF, global variables and
 * externs. Maps and programs keep the object's order.
 *
 * @param maps      maps by name; global data maps are named after their section (".data", ".rodata"...)
 * @param programs  programs by function name
 * @param btf       the object's BTF with data section sizes and offsets filled in, or null if compiled without {@code -g}
 * @param variables global variables by name
 * @param externs   kconfig and ksym externs by name
 * @param byteOrder the object's byte order (of global data and instructions)
 */
public record CollectionSpec(Map<String, MapSpec> maps, Map<String, ProgramSpec> programs, Btf btf,
                             Map<String, VariableSpec> variables, Map<String, ExternSpec> externs,
                             ByteOrder byteOrder) {
    public CollectionSpec {
        maps = ordered(maps);
        programs = ordered(programs);
        variables = ordered(variables);
        externs = ordered(externs);
        Objects.requireNonNull(byteOrder, "byteOrder");
    }

    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** The map called {@code name}. */
    public MapSpec map(String name) {
        MapSpec m = maps.get(name);
        if (m == null) throw new NotFoundException("no map " + name + " in this object; it has " + maps.keySet());
        return m;
    }

    /** The program called {@code name}. */
    public ProgramSpec program(String name) {
        ProgramSpec p = programs.get(name);
        if (p == null) {
            throw new NotFoundException("no program " + name + " in this object; it has " + programs.keySet());
        }
        return p;
    }

    /** The variable called {@code name}. */
    public VariableSpec variable(String name) {
        VariableSpec v = variables.get(name);
        if (v == null) {
            throw new NotFoundException("no global variable " + name + " in this object; it has " + variables.keySet());
        }
        return v;
    }

    /** The current bytes of a global variable (its initial value unless changed with {@link #withVariable}). */
    public byte[] variableValue(String name) {
        VariableSpec v = variable(name);
        byte[] data = sectionBytes(v);
        return java.util.Arrays.copyOfRange(data, v.offset(), v.offset() + v.size());
    }

    /**
     * A copy in which global variable {@code name} starts with {@code value} (exactly its size, in
     * the object's byte order). Works for {@code const volatile} (.rodata) variables too: that is how
     * a program is configured before load.
     */
    public CollectionSpec withVariable(String name, byte[] value) {
        VariableSpec v = variable(name);
        if (value.length != v.size()) {
            throw new IllegalArgumentException("variable " + name + " is " + v.size() + " bytes, not " + value.length);
        }
        byte[] data = sectionBytes(v).clone();
        System.arraycopy(value, 0, data, v.offset(), value.length);
        Map<String, MapSpec> newMaps = new LinkedHashMap<>(maps);
        newMaps.put(v.section(), maps.get(v.section()).withContents(List.of(new MapSpec.Entry(0, data))));
        return new CollectionSpec(newMaps, programs, btf, variables, externs, byteOrder);
    }

    /** {@link #withVariable(String, byte[])} for a 1, 2, 4 or 8-byte integer, encoded in the object's byte order. */
    public CollectionSpec withVariable(String name, long value) {
        int size = variable(name).size();
        byte[] bytes = new byte[size];
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes).order(byteOrder);
        switch (size) {
            case 1 -> buffer.put((byte) value);
            case 2 -> buffer.putShort((short) value);
            case 4 -> buffer.putInt((int) value);
            case 8 -> buffer.putLong(value);
            default -> throw new IllegalArgumentException("variable " + name + " is " + size
                    + " bytes, not an integer; use withVariable(String, byte[])");
        }
        return withVariable(name, bytes);
    }

    public CollectionSpec withMap(MapSpec map) {
        Map<String, MapSpec> newMaps = new LinkedHashMap<>(maps);
        newMaps.put(map.name(), map);
        return new CollectionSpec(newMaps, programs, btf, variables, externs, byteOrder);
    }

    public CollectionSpec withProgram(ProgramSpec program) {
        Map<String, ProgramSpec> newPrograms = new LinkedHashMap<>(programs);
        newPrograms.put(program.name(), program);
        return new CollectionSpec(maps, newPrograms, btf, variables, externs, byteOrder);
    }

    private byte[] sectionBytes(VariableSpec v) {
        MapSpec map = maps.get(v.section());
        if (map == null || map.contents().size() != 1 || !(map.contents().getFirst().value() instanceof byte[] data)) {
            throw new IllegalStateException("data map " + v.section() + " of variable " + v.name() + " has no contents");
        }
        return data;
    }
}
