package dev.jbcc.gen;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.errors.FormatException;
import dev.jbcc.spec.CollectionSpec;
import dev.jbcc.spec.MapSpec;
import dev.jbcc.spec.MapType;
import dev.jbcc.spec.ObjectReader;
import dev.jbcc.spec.ProgramSection;
import dev.jbcc.spec.ProgramSpec;
import dev.jbcc.spec.VariableSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Generates the typed Java skeleton of a BPF object: one class, named after the object, that
 * loads it from a resource next to itself and offers typed handles on what it holds.
 *
 * <ul>
 *   <li>{@code load()} / {@code load(options)}, or {@code open()} to set {@code .rodata} and
 *       {@code .data} variables first, return the skeleton, an {@code AutoCloseable};</li>
 *   <li>{@code progs()}: one handle per program with the attach method its {@code SEC()} kind
 *       needs (a tracepoint attaches with no argument, XDP takes a device, ...);</li>
 *   <li>{@code maps()}: {@code TypedMap<K, V>} (per-CPU, queue views) over records generated from
 *       the BTF key and value types; ring and perf buffers open readers that decode each event into
 *       the record of the struct the program submits;</li>
 *   <li>{@code data()}, {@code bss()}, {@code rodata()}: typed accessors over the mmap'ed globals.</li>
 * </ul>
 *
 * <p>Which struct a ring or perf buffer carries is not in the map's BTF (those maps have no value
 * type), and clang puts a struct in BTF only when a global or function uses it. So the source names
 * it with a variable that is otherwise unused:
 * {@code struct event *jbcc_record_events __attribute__((unused, btf_decl_tag("jbcc.record:events")));}
 * says that ring buffer {@code events} carries {@code struct event} (the skeleton gives that
 * variable no accessor). {@link Options#withEventType} names it instead for a struct already in BTF.
 * Structs become records whose components are matched by offset from BTF, including nested
 * structs, arrays, {@code char[]} as strings, enums as Java enums and bitfields; unions and 128-bit
 * integers stay raw bytes.
 */
public final class SkeletonGenerator {
    /** The BTF declaration tag prefix that names a ring or perf buffer's event struct. */
    public static final String EVENT_TAG = "jbcc.record:";

    private static final Set<String> IMPORTED = Set.of("BpfMap", "Codec", "Collection", "CollectionOptions",
            "FormatException", "FlatMember", "PerCpuMap", "Program", "TypedMap", "TypedQueue", "CollectionSpec", "ObjectReader",
            "RingBufferReader", "RecordHandler", "PerfBufferReader", "PerfBufferOptions", "SampleHandler",
            "MemorySegment", "ValueLayout", "IOException", "InputStream", "Consumer", "ObjIntConsumer", "IntFunction", "Link", "Links", "Path", "String", "Object", "Record", "Enum", "Override",
            "Integer", "Long", "Short", "Byte", "Boolean", "Float", "Double", "Math", "System");

    /**
     * What to generate.
     *
     * @param packageName the Java package ("" for none)
     * @param className   the class name, or null for one derived from the object's file name
     * @param eventTypes  ring or perf buffer map name → the C struct its events are, for maps
     *                    without a {@value #EVENT_TAG} tag
     */
    public record Options(String packageName, String className, Map<String, String> eventTypes) {
        public Options {
            Objects.requireNonNull(packageName, "packageName");
            eventTypes = Map.copyOf(eventTypes);
        }

        public static Options of(String packageName) {
            return new Options(packageName, null, Map.of());
        }

        public Options withClassName(String className) {
            return new Options(packageName, className, eventTypes);
        }

        /** Decodes the events of ring or perf buffer {@code map} as {@code struct structName}. */
        public Options withEventType(String map, String structName) {
            var types = new LinkedHashMap<>(eventTypes);
            types.put(map, structName);
            return new Options(packageName, className, types);
        }
    }

    /**
     * One generated source file.
     *
     * @param objectName the resource the class loads, next to it in its package
     */
    public record JavaFile(String packageName, String simpleName, String objectName, String source) {
        /** The file's path under a source root: {@code p/q/Name.java}. */
        public Path path(Path sourceRoot) {
            Path dir = packageName.isEmpty() ? sourceRoot : sourceRoot.resolve(packageName.replace('.', '/'));
            return dir.resolve(simpleName + ".java");
        }

        /**
         * Writes the file under {@code sourceRoot} unless it already holds exactly this text (so
         * an incremental compiler sees no change).
         *
         * @return whether the file was written
         */
        public boolean writeTo(Path sourceRoot) throws IOException {
            Path file = path(sourceRoot);
            if (Files.isRegularFile(file) && Files.readString(file).equals(source)) return false;
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            return true;
        }
    }

    private SkeletonGenerator() {}

    /** {@code opensnoop.bpf.o} → {@code Opensnoop}; {@code tc-drop.o} → {@code TcDrop}. */
    public static String className(String objectName) {
        String base = Path.of(objectName).getFileName().toString();
        for (String suffix : List.of(".o", ".bpf")) if (base.endsWith(suffix)) base = base.substring(0, base.length() - suffix.length());
        String name = Names.upperCamel(base);
        return name.isEmpty() ? "Skeleton" : name;
    }

    /**
     * The skeleton of the object {@code elf}, which the generated class loads as resource
     * {@code objectName} of its own package.
     *
     * @throws FormatException if the object cannot be read, has no BTF ({@code -g}), or a named
     *                         event struct is not in its BTF
     */
    public static JavaFile generate(byte[] elf, String objectName, Options options) {
        CollectionSpec spec = ObjectReader.read(elf, objectName);
        String resource = Path.of(objectName).getFileName().toString();
        String name = options.className() != null ? options.className() : className(resource);
        return new Generator(spec, resource, name, options).generate();
    }

    private static final class Generator {
        private final CollectionSpec spec;
        private final Btf btf;
        private final String resource;
        private final String name;
        private final Options options;
        private final Names.Scope typeNames;
        private final TypeMapper types;
        private final StringBuilder body = new StringBuilder();
        private final Set<String> tagVariables = new java.util.HashSet<>();
        private final Map<String, Integer> eventTags;

        Generator(CollectionSpec spec, String resource, String name, Options options) {
            this.spec = spec;
            this.btf = spec.btf();
            if (btf == null) {
                throw new FormatException(resource + " has no BTF; compile it with -g (clang -target bpf -O2 -g)");
            }
            this.resource = resource;
            this.name = name;
            this.options = options;
            var reserved = new java.util.HashSet<>(IMPORTED);
            reserved.addAll(Set.of(name, "Opener", "Programs", "Maps"));
            this.typeNames = new Names.Scope(reserved);
            this.types = new TypeMapper(btf, spec.byteOrder(), name, typeNames);
            this.eventTags = eventTags(btf, tagVariables);
        }

        JavaFile generate() {
            var sections = globalsBySection();
            Map<String, String> sectionClasses = new LinkedHashMap<>();
            for (String section : sections.keySet()) {
                sectionClasses.put(section, typeNames.unique(Names.upperCamel(section), "Globals"));
            }
            String programs = programsClass();
            String maps = mapsClass();
            String opener = openerClass(sections);
            var globals = new StringBuilder();
            for (var e : sections.entrySet()) globals.append(globalsClass(e.getKey(), sectionClasses.get(e.getKey()), e.getValue()));

            var src = new StringBuilder();
            if (!options.packageName().isEmpty()) src.append("package ").append(options.packageName()).append(";\n\n");
            src.append("""
                    import dev.jbcc.BpfMap;
                    import dev.jbcc.Codec;
                    import dev.jbcc.Collection;
                    import dev.jbcc.CollectionOptions;
                    import dev.jbcc.PerCpuMap;
                    import dev.jbcc.Program;
                    import dev.jbcc.TypedMap;
                    import dev.jbcc.TypedQueue;
                    import dev.jbcc.btf.FlatMember;
                    import dev.jbcc.errors.FormatException;
                    import dev.jbcc.link.Link;
                    import dev.jbcc.link.Links;
                    import dev.jbcc.perf.PerfBufferOptions;
                    import dev.jbcc.perf.PerfBufferReader;
                    import dev.jbcc.perf.SampleHandler;
                    import dev.jbcc.ringbuf.RecordHandler;
                    import dev.jbcc.ringbuf.RingBufferReader;
                    import dev.jbcc.spec.CollectionSpec;
                    import dev.jbcc.spec.ObjectReader;

                    import java.io.IOException;
                    import java.io.InputStream;
                    import java.lang.foreign.MemorySegment;
                    import java.lang.foreign.ValueLayout;
                    import java.nio.file.Path;
                    import java.util.function.Consumer;
                    import java.util.function.IntFunction;
                    import java.util.function.ObjIntConsumer;

                    """);
            src.append("/**\n * The BPF object {@code ").append(resource).append("}, typed: generated by jbcc from its BTF; do not edit.\n");
            src.append(" *\n * <pre>{@code\n * try (var o = ").append(name).append(".load()) {\n");
            src.append(" *     o.progs().…().attach();\n * }\n * }</pre>\n */\n");
            src.append("public final class ").append(name).append(" implements AutoCloseable {\n");
            src.append("    /** The object, a resource in this class's package. */\n");
            src.append("    public static final String OBJECT = \"").append(resource).append("\";\n\n");
            src.append("    private final Collection collection;\n\n");
            src.append("    private ").append(name).append("(Collection collection) {\n        this.collection = collection;\n    }\n\n");
            src.append("""
                        /** Loads the object with its initial globals and default options. */
                        public static %1$s load() {
                            return open().load();
                        }

                        /** Loads the object with its initial globals. */
                        public static %1$s load(CollectionOptions options) {
                            return open().load(options);
                        }

                        /** Reads the object, so that read-only globals can be set before {@link Opener#load()}. */
                        public static Opener open() {
                            return new Opener(ObjectReader.read(objectBytes(), OBJECT));
                        }

                        /** The object's bytes, read from the resource {@link #OBJECT}. */
                        public static byte[] objectBytes() {
                            try (InputStream in = %1$s.class.getResourceAsStream(OBJECT)) {
                                if (in == null) {
                                    throw new FormatException("resource " + OBJECT + " is missing next to " + %1$s.class.getName()
                                            + "; jbcc-maven-plugin embeds it, or copy the object there");
                                }
                                return in.readAllBytes();
                            } catch (IOException e) {
                                throw new FormatException("cannot read resource " + OBJECT + ": " + e.getMessage(), e);
                            }
                        }

                        /** The loaded maps and programs. */
                        public Collection collection() {
                            return collection;
                        }

                        /** The programs, typed. */
                        public Programs progs() {
                            return new Programs();
                        }

                        /** The maps, typed (global data sections excluded). */
                        public Maps maps() {
                            return new Maps();
                        }

                    """.formatted(name));
            for (var e : sectionClasses.entrySet()) {
                src.append("    /** The {@code ").append(e.getKey()).append("} globals, over mmap. */\n");
                src.append("    public ").append(e.getValue()).append(' ').append(Names.lowerCamel(e.getValue()))
                        .append("() {\n        return new ").append(e.getValue()).append("();\n    }\n\n");
            }
            src.append("""
                        /** Closes every program and map: attached links must be closed first. */
                        @Override
                        public void close() {
                            collection.close();
                        }

                    """);
            src.append(opener).append(programs).append(body).append(maps).append(globals);
            for (String d : types.declarations()) src.append('\n').append(d);
            src.append(helpers());
            src.append("}\n");
            return new JavaFile(options.packageName(), name, resource, src.toString());
        }

        // ---- globals ----

        private Map<String, List<VariableSpec>> globalsBySection() {
            var out = new LinkedHashMap<String, List<VariableSpec>>();
            for (VariableSpec v : spec.variables().values()) {
                if (!spec.maps().containsKey(v.section()) || tagVariables.contains(v.name())) continue;
                out.computeIfAbsent(v.section(), k -> new ArrayList<>()).add(v);
            }
            return out;
        }

        private TypeMapper.Shape variableShape(VariableSpec v) {
            return v.btfType() == 0 ? new TypeMapper.Opaque(v.size()) : types.shape(v.btfType(), v.name());
        }

        private String openerClass(Map<String, List<VariableSpec>> sections) {
            var src = new StringBuilder();
            src.append("""
                        /** The object read but not loaded: globals set here are what the programs start with. */
                        public static final class Opener {
                            private CollectionSpec spec;

                            private Opener(CollectionSpec spec) {
                                this.spec = spec;
                            }

                            /** The object as read, with the values set so far. */
                            public CollectionSpec spec() {
                                return spec;
                            }

                    """);
            var scope = new Names.Scope(Set.of("spec", "load"));
            for (var e : sections.entrySet()) {
                String section = e.getKey();
                if (!section.startsWith(".rodata") && !section.startsWith(".data")) continue;
                for (VariableSpec v : e.getValue()) {
                    TypeMapper.Shape shape = variableShape(v);
                    String method = scope.unique(Names.lowerCamel(v.name()), "_");
                    src.append("        /** Sets {@code ").append(v.name()).append("} (").append(section)
                            .append(") before load. */\n");
                    src.append("        public Opener ").append(method).append('(').append(types.javaType(shape))
                            .append(" value) {\n");
                    src.append("            byte[] bytes = new byte[").append(v.size()).append("];\n");
                    src.append("            MemorySegment s = MemorySegment.ofArray(bytes);\n");
                    src.append("            ").append(types.write(shape, "s", "0", "value", v.name(), 0, "            ")).append('\n');
                    src.append("            spec = spec.withVariable(\"").append(v.name()).append("\", bytes);\n");
                    src.append("            return this;\n        }\n\n");
                }
            }
            src.append("""
                            /** Loads the object with default options. */
                            public %1$s load() {
                                return load(CollectionOptions.defaults());
                            }

                            /** Creates the maps and loads the programs; the skeleton owns them. */
                            public %1$s load(CollectionOptions options) {
                                return new %1$s(Collection.load(spec, options));
                            }
                        }

                    """.formatted(name));
            return src.toString();
        }

        private String globalsClass(String section, String className, List<VariableSpec> vars) {
            boolean writable = !section.startsWith(".rodata");
            var src = new StringBuilder();
            src.append("    /** The {@code ").append(section).append("} globals: reads see what programs wrote")
                    .append(writable ? ", writes are seen by them" : "").append(". */\n");
            src.append("    public final class ").append(className).append(" {\n");
            src.append("        private ").append(className).append("() {}\n\n");
            var scope = new Names.Scope(Set.of());
            for (VariableSpec v : vars) {
                TypeMapper.Shape shape = variableShape(v);
                String method = scope.unique(Names.lowerCamel(v.name()), "_");
                String type = types.javaType(shape);
                src.append("        /** {@code ").append(v.name()).append("}. */\n");
                src.append("        public ").append(type).append(' ').append(method).append("() {\n");
                src.append("            MemorySegment s = collection.variable(\"").append(v.name()).append("\");\n");
                src.append("            return ").append(types.read(shape, "s", "0", 0)).append(";\n        }\n\n");
                if (writable) {
                    src.append("        /** Sets {@code ").append(v.name()).append("}. */\n");
                    src.append("        public void ").append(method).append('(').append(type).append(" value) {\n");
                    src.append("            MemorySegment s = collection.variable(\"").append(v.name()).append("\");\n");
                    src.append("            ").append(types.write(shape, "s", "0", "value", v.name(), 0, "            "))
                            .append("\n        }\n\n");
                }
            }
            src.append("    }\n\n");
            return src.toString();
        }

        // ---- programs ----

        private String programsClass() {
            var src = new StringBuilder();
            src.append("    /** The programs, each with the attach method its section calls for. */\n");
            src.append("    public final class Programs {\n        private Programs() {}\n\n");
            var methods = new Names.Scope(Set.of());
            for (ProgramSpec p : spec.programs().values()) {
                String handle = typeNames.unique(Names.upperCamel(p.name()) + "Program", "_");
                String method = methods.unique(Names.lowerCamel(p.name()), "_");
                src.append("        /** {@code SEC(\"").append(p.sectionName()).append("\") ").append(p.name()).append("}. */\n");
                src.append("        public ").append(handle).append(' ').append(method).append("() {\n");
                src.append("            return new ").append(handle).append("(collection.program(\"").append(p.name())
                        .append("\"));\n        }\n\n");
                body.append(handleClass(p, handle));
            }
            src.append("    }\n\n");
            return src.toString();
        }

        private String handleClass(ProgramSpec p, String handle) {
            var src = new StringBuilder();
            src.append("    /** The program {@code ").append(p.name()).append("}, {@code SEC(\"").append(p.sectionName())
                    .append("\")}. */\n");
            src.append("    public final class ").append(handle).append(" {\n");
            src.append("        private final Program program;\n\n");
            src.append("        private ").append(handle).append("(Program program) {\n            this.program = program;\n        }\n\n");
            src.append("        /** The loaded program. */\n        public Program program() {\n            return program;\n        }\n");
            src.append(attachMethods(p));
            src.append("    }\n\n");
            return src.toString();
        }

        private static String method(String doc, String returns, String params, String body) {
            return "\n        /** " + doc + " */\n        public " + returns + " attach(" + params + ") {\n            return "
                    + body + ";\n        }\n";
        }

        private String attachMethods(ProgramSpec p) {
            ProgramSection section = ProgramSection.parse(p.sectionName()).orElse(null);
            if (section == null) return "";
            String target = section.target();
            String l = "dev.jbcc.link.";
            return switch (section.kind()) {
                case "tracepoint", "tp", "tracepoint.s", "tp.s" -> {
                    if (target == null || target.indexOf('/') < 0) {
                        yield method("Attaches to a tracepoint.", l + "TracepointLink", "String category, String name",
                                l + "TracepointLink.attach(program, category, name)");
                    }
                    int slash = target.indexOf('/');
                    yield method("Attaches to the tracepoint {@code " + target + "}.", l + "TracepointLink", "",
                            l + "TracepointLink.attach(program, \"" + target.substring(0, slash) + "\", \""
                                    + target.substring(slash + 1) + "\")");
                }
                case "raw_tracepoint", "raw_tp", "raw_tracepoint.s", "raw_tp.s", "raw_tracepoint.w", "raw_tp.w" ->
                        target == null
                                ? method("Attaches to a raw tracepoint.", l + "RawTracepointLink", "String tracepoint",
                                        l + "RawTracepointLink.attach(program, tracepoint)")
                                : method("Attaches to the raw tracepoint {@code " + target + "}.", l + "RawTracepointLink", "",
                                        l + "RawTracepointLink.attach(program, \"" + target + "\")");
                case "tp_btf", "tp_btf.s", "fentry", "fexit", "fmod_ret", "fentry.s", "fexit.s", "fmod_ret.s" ->
                        method("Attaches to {@code " + target + "}, found by BTF at load.", l + "TracingLink", "",
                                l + "TracingLink.attach(program)");
                case "lsm", "lsm.s" -> method("Attaches to the LSM hook {@code " + target + "}.", l + "LsmLink", "",
                        l + "LsmLink.attach(program)");
                case "iter", "iter.s" -> method("Creates the iterator link.", l + "IterLink", "", l + "IterLink.attach(program)");
                case "kprobe", "kretprobe" -> (target == null ? "" : method("Attaches to {@code " + target + "}.", "Link", "",
                        "Links.attach(program)"))
                        + method("Attaches where {@code options} say.", l + "KprobeLink", l + "KprobeOptions options",
                        l + "KprobeLink.attach(program, " + (section.kind().equals("kretprobe") ? "options.asRetprobe()" : "options") + ")");
                case "ksyscall", "kretsyscall", "kprobe.multi", "kretprobe.multi" ->
                        target == null ? "" : method("Attaches to {@code " + target + "}.", "Link", "", "Links.attach(program)");
                case "uprobe", "uretprobe", "uprobe.s", "uretprobe.s" -> (target == null ? "" : method(
                        "Attaches to {@code " + target + "}.", "Link", "", "Links.attach(program)"))
                        + method("Attaches where {@code options} say.", l + "UprobeLink", l + "UprobeOptions options",
                        l + "UprobeLink.attach(program, " + (section.kind().startsWith("uretprobe") ? "options.asRetprobe()" : "options") + ")");
                case "usdt", "usdt.s" -> method("Attaches to the USDT probe {@code options} name.", l + "UsdtLink",
                        l + "UsdtOptions options", l + "UsdtLink.attach(program, options)");
                case "xdp", "xdp.frags" -> method("Attaches to network device {@code device}.", l + "XdpLink",
                        "String device", l + "XdpLink.attach(program, device)")
                        + method("Attaches to network device {@code device} with options.", l + "XdpLink",
                        "String device, " + l + "XdpOptions options", l + "XdpLink.attach(program, device, options)");
                case "tc", "classifier" -> method("Attaches to {@code device}: tcx where the kernel has it (6.6+), else a clsact filter.", l + "TcLink",
                        "String device, " + l + "TcDirection direction", l + "TcLink.attach(program, device, direction)");
                case "tc/ingress", "tc/egress", "tcx/ingress", "tcx/egress" -> method(
                        "Attaches to {@code device} (tcx, " + section.kind() + ").", l + "TcxLink", "String device",
                        l + "TcxLink.attach(program, device, " + l + "TcDirection."
                                + (section.kind().endsWith("ingress") ? "INGRESS" : "EGRESS") + ")");
                case "socket" -> method("Attaches to a raw socket on {@code device}.", l + "SocketFilter", "String device",
                        l + "SocketFilter.attach(program, device)");
                case "perf_event" -> method("Attaches to the perf event {@code options} describe.", l + "PerfEventLink",
                        l + "PerfEventOptions options", l + "PerfEventLink.attach(program, options)");
                default -> section.kind().startsWith("cgroup") || section.kind().equals("sockops")
                        ? method("Attaches to the cgroup at {@code cgroup}.", l + "CgroupLink", "Path cgroup",
                        l + "CgroupLink.attach(program, cgroup)")
                        : "";
            };
        }

        // ---- maps ----

        private String mapsClass() {
            var src = new StringBuilder();
            src.append("    /** The maps, typed from their BTF. */\n");
            src.append("    public final class Maps {\n        private Maps() {}\n\n");
            var methods = new Names.Scope(Set.of());
            for (MapSpec m : spec.maps().values()) {
                if (m.name().startsWith(".")) continue; // global data: see the section classes
                String method = methods.unique(Names.lowerCamel(m.name()), "_");
                String raw = "collection.map(\"" + m.name() + "\")";
                switch (m.type()) {
                    case RINGBUF, PERF_EVENT_ARRAY -> {
                        boolean ring = m.type() == MapType.RINGBUF;
                        TypeMapper.Shape event = eventShape(m);
                        src.append("        /** The ").append(ring ? "ring" : "perf").append(" buffer {@code ").append(m.name())
                                .append("}. */\n        public BpfMap ").append(method).append("() {\n            return ")
                                .append(raw).append(";\n        }\n\n");
                        if (event != null) {
                            String t = types.boxed(event);
                            src.append("        /** Opens a reader of {@code ").append(m.name()).append("} that decodes each event as {@link ")
                                    .append(t).append("}; close it before the skeleton. */\n");
                            if (ring) {
                                src.append("        public RingBufferReader ").append(method).append("(Consumer<? super ").append(t)
                                        .append("> events) {\n            return RingBufferReader.open(").append(raw).append(", ")
                                        .append(types.codec(event)).append(", events);\n        }\n\n");
                            } else {
                                src.append("        public PerfBufferReader ").append(method).append("(ObjIntConsumer<? super ").append(t)
                                        .append("> events) {\n            return PerfBufferReader.open(").append(raw)
                                        .append(", PerfBufferOptions.defaults(), ").append(types.codec(event))
                                        .append(", events, null);\n        }\n\n");
                            }
                        } else {
                            src.append("        /** Opens a reader of {@code ").append(m.name()).append("} (no event struct is named: see {@code jbcc.record:}"
                                    + " in the jbcc-gen documentation). */\n");
                            if (ring) {
                                src.append("        public RingBufferReader ").append(method).append("(RecordHandler events) {\n")
                                        .append("            return RingBufferReader.open(").append(raw).append(", events);\n        }\n\n");
                            } else {
                                src.append("        public PerfBufferReader ").append(method).append("(SampleHandler events) {\n")
                                        .append("            return PerfBufferReader.open(").append(raw).append(", events);\n        }\n\n");
                            }
                        }
                    }
                    default -> {
                        TypeMapper.Shape value = m.btfValueType() != 0 ? types.shape(m.btfValueType(), m.name() + "_value")
                                : m.valueSize() > 0 ? new TypeMapper.Opaque(m.valueSize()) : null;
                        TypeMapper.Shape key = m.btfKeyType() != 0 ? types.shape(m.btfKeyType(), m.name() + "_key")
                                : m.keySize() > 0 ? new TypeMapper.Opaque(m.keySize()) : null;
                        boolean queue = m.type() == MapType.QUEUE || m.type() == MapType.STACK;
                        boolean keyed = key != null && value != null && !isSpecial(m.type());
                        if (queue && value != null) {
                            typedView(src, m, method, "TypedQueue<" + types.boxed(value) + ">",
                                    raw + ".asQueue(" + types.codec(value) + ")");
                        } else if (keyed) {
                            String kv = "<" + types.boxed(key) + ", " + types.boxed(value) + ">";
                            String codecs = types.codec(key) + ", " + types.codec(value);
                            if (m.type().isPerCpu()) typedView(src, m, method, "PerCpuMap" + kv, raw + ".asPerCpu(" + codecs + ")");
                            else typedView(src, m, method, "TypedMap" + kv, raw + ".as(" + codecs + ")");
                        } else {
                            typedView(src, m, method, "BpfMap", raw);
                        }
                    }
                }
            }
            src.append("    }\n\n");
            return src.toString();
        }

        /** Maps whose values are fds, ids or kernel objects: no typed view. */
        private static boolean isSpecial(MapType type) {
            return switch (type) {
                case PROG_ARRAY, PERF_EVENT_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP,
                     SOCKMAP, SOCKHASH, CGROUP_ARRAY, STACK_TRACE, RINGBUF, USER_RINGBUF, STRUCT_OPS, BLOOM_FILTER,
                     SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE, REUSEPORT_SOCKARRAY -> true;
                default -> false;
            };
        }

        private static void typedView(StringBuilder src, MapSpec m, String method, String type, String expr) {
            src.append("        /** {@code ").append(m.name()).append("} (").append(m.type()).append(", ")
                    .append(m.maxEntries()).append(" entries). */\n");
            src.append("        public ").append(type).append(' ').append(method).append("() {\n            return ")
                    .append(expr).append(";\n        }\n\n");
        }

        /** The record a ring or perf buffer's events decode into, or null if nothing names it. */
        private TypeMapper.Shape eventShape(MapSpec m) {
            String struct = options.eventTypes().get(m.name());
            if (struct != null) {
                String c = struct.startsWith("struct ") ? struct.substring("struct ".length()).strip() : struct;
                int id = btf.lookupFirst(c, BtfType.Struct.class).orElseThrow(() -> new FormatException(
                        "map " + m.name() + ": its events are said to be struct " + c + ", which is not in the object's"
                                + " BTF; clang emits only types that globals or functions use, so declare"
                                + " `struct " + c + " *jbcc_record_" + m.name() + " __attribute__((unused, btf_decl_tag(\""
                                + EVENT_TAG + m.name() + "\")));`"));
                return types.shape(id, c);
            }
            Integer tagged = eventTags.get(m.name());
            return tagged == null ? null : types.shape(tagged, m.name() + "_event");
        }

        /**
         * Variables tagged {@value #EVENT_TAG}{@code MAP}: the type they point to is what ring or
         * perf buffer MAP carries. They exist only to put that type in the BTF, so no accessor is made.
         */
        private static Map<String, Integer> eventTags(Btf btf, Set<String> tagVariables) {
            var out = new LinkedHashMap<String, Integer>();
            for (int id = btf.firstTypeId(); id < btf.typeCount(); id++) {
                if (btf.type(id) instanceof BtfType.DeclTag t && t.componentIdx() == -1 && t.name().startsWith(EVENT_TAG)
                        && btf.type(t.type()) instanceof BtfType.Var v) {
                    int type = btf.resolve(v.type());
                    if (btf.type(type) instanceof BtfType.Ptr p) type = p.type();
                    out.put(t.name().substring(EVENT_TAG.length()).strip(), type);
                    tagVariables.add(v.name());
                }
            }
            return out;
        }

        // ---- helpers every skeleton carries ----

        private String helpers() {
            return """

                        static String readChars(MemorySegment s, long o, int n) {
                            byte[] bytes = s.asSlice(o, n).toArray(ValueLayout.JAVA_BYTE);
                            int end = 0;
                            while (end < n && bytes[end] != 0) end++;
                            return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8);
                        }

                        static void writeChars(MemorySegment s, long o, int n, String value, String what) {
                            byte[] bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                            if (bytes.length > n) {
                                throw new IllegalArgumentException(what + " holds " + n + " bytes, not " + bytes.length);
                            }
                            s.asSlice(o, n).fill((byte) 0);
                            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, o, bytes.length);
                        }

                        static byte[] readBytes(MemorySegment s, long o, int n) {
                            return s.asSlice(o, n).toArray(ValueLayout.JAVA_BYTE);
                        }

                        static void writeBytes(MemorySegment s, long o, int n, byte[] value, String what) {
                            checkLength(value.length, n, what);
                            MemorySegment.copy(value, 0, s, ValueLayout.JAVA_BYTE, o, n);
                        }

                        static void checkLength(int length, int expected, String what) {
                            if (length != expected) {
                                throw new IllegalArgumentException(what + " has " + expected + " elements, not " + length);
                            }
                        }

                        static <T> T[] readArray(int n, IntFunction<T> element, IntFunction<T[]> array) {
                            T[] out = array.apply(n);
                            for (int i = 0; i < n; i++) out[i] = element.apply(i);
                            return out;
                        }
                    """;
        }
    }
}
