package dev.jbcc.tools.jvm;

import java.util.List;

/**
 * HotSpot's USDT probes (provider {@code hotspot} in {@code libjvm.so}) that the JVM tools use, with
 * what their arguments mean and the {@code -XX} flag without which the JVM never fires them (null:
 * always armed). Strings come as pointer and length, not NUL-terminated.
 */
public enum HotSpotProbe {
    THREAD_START("thread__start", null, "name", "name length", "Java thread id", "native thread id", "is daemon"),
    THREAD_STOP("thread__stop", null, "name", "name length", "Java thread id", "native thread id", "is daemon"),
    GC_BEGIN("gc__begin", null, "is full"),
    GC_END("gc__end", null),
    MEM_POOL_GC_BEGIN("mem__pool__gc__begin", null, "manager name", "manager name length", "pool name", "pool name length",
            "initial size", "used", "committed", "max size"),
    MEM_POOL_GC_END("mem__pool__gc__end", null, "manager name", "manager name length", "pool name", "pool name length",
            "initial size", "used", "committed", "max size"),
    CLASS_LOADED("class__loaded", null, "class name", "class name length", "class loader id", "is shared (CDS)"),
    CLASS_UNLOADED("class__unloaded", null, "class name", "class name length", "class loader id", "is shared (CDS)"),
    METHOD_COMPILE_BEGIN("method__compile__begin", null, "compiler name", "compiler name length", "class name",
            "class name length", "method name", "method name length", "signature", "signature length"),
    METHOD_COMPILE_END("method__compile__end", null, "compiler name", "compiler name length", "class name",
            "class name length", "method name", "method name length", "signature", "signature length", "success"),
    VMOPS_BEGIN("vmops__begin", null, "operation name", "operation name length", "evaluation mode"),
    VMOPS_END("vmops__end", null, "operation name", "operation name length", "evaluation mode"),
    METHOD_ENTRY("method__entry", "DTraceMethodProbes", "Java thread id", "class name", "class name length",
            "method name", "method name length", "signature", "signature length"),
    METHOD_RETURN("method__return", "DTraceMethodProbes", "Java thread id", "class name", "class name length",
            "method name", "method name length", "signature", "signature length"),
    OBJECT_ALLOC("object__alloc", "DTraceAllocProbes", "Java thread id", "class name", "class name length", "size");

    private final String probeName;
    private final String flag;
    private final List<String> arguments;

    HotSpotProbe(String probeName, String flag, String... arguments) {
        this.probeName = probeName;
        this.flag = flag;
        this.arguments = List.of(arguments);
    }

    /** The probe's name in libjvm.so's notes: {@code thread__start}. */
    public String probeName() {
        return probeName;
    }

    /** {@code hotspot:thread__start}, as USDT contexts take it. */
    public String qualifiedName() {
        return "hotspot:" + probeName;
    }

    /** The flag that arms it ({@code -XX:+ExtendedDTraceProbes} arms them all), or null if it always fires. */
    public String flag() {
        return flag;
    }

    /** What its arguments mean, argument 1 first. */
    public List<String> arguments() {
        return arguments;
    }
}
