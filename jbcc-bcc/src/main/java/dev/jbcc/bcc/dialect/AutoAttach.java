package dev.jbcc.bcc.dialect;

/**
 * Where bcc attaches a function by itself, read from its name's prefix. A front-end attaches these
 * at load time, as bcc's Python {@code BPF} does.
 */
public sealed interface AutoAttach {

    /** The function name this was read from. */
    String functionName();

    /**
     * {@code kprobe__X}. When {@code syscall} is true the name was {@code kprobe__sys_NAME}: bcc
     * resolves NAME to the kernel's syscall entry ({@code __x64_sys_NAME} on x86-64).
     *
     * @param target  X, the kernel function as written
     * @param syscall whether X starts with {@code sys_}
     */
    record Kprobe(String functionName, String target, boolean syscall) implements AutoAttach {}

    /** {@code kretprobe__X}; {@code syscall} as for {@link Kprobe}. */
    record Kretprobe(String functionName, String target, boolean syscall) implements AutoAttach {}

    /** {@code tracepoint__CATEGORY__EVENT} (what TRACEPOINT_PROBE defines). */
    record Tracepoint(String functionName, String category, String event) implements AutoAttach {}

    /** {@code raw_tracepoint__EVENT} (RAW_TRACEPOINT_PROBE). */
    record RawTracepoint(String functionName, String event) implements AutoAttach {}

    /** {@code kfunc__X}: fentry on X (KFUNC_PROBE). */
    record Kfunc(String functionName, String target) implements AutoAttach {}

    /** {@code kretfunc__X}: fexit on X (KRETFUNC_PROBE). */
    record Kretfunc(String functionName, String target) implements AutoAttach {}

    /** {@code lsm__HOOK} (LSM_PROBE). */
    record Lsm(String functionName, String hook) implements AutoAttach {}

    /** The auto-attach a function name asks for, or null if it has none of bcc's prefixes. */
    static AutoAttach of(String name) {
        if (name.startsWith("kprobe__")) {
            String t = name.substring(8);
            return new Kprobe(name, t, t.startsWith("sys_"));
        }
        if (name.startsWith("kretprobe__")) {
            String t = name.substring(11);
            return new Kretprobe(name, t, t.startsWith("sys_"));
        }
        if (name.startsWith("tracepoint__")) {
            String rest = name.substring(12);
            int sep = rest.indexOf("__");
            return sep > 0 ? new Tracepoint(name, rest.substring(0, sep), rest.substring(sep + 2)) : null;
        }
        if (name.startsWith("raw_tracepoint__")) return new RawTracepoint(name, name.substring(16));
        if (name.startsWith("kfunc__")) return new Kfunc(name, name.substring(7));
        if (name.startsWith("kretfunc__")) return new Kretfunc(name, name.substring(10));
        if (name.startsWith("lsm__")) return new Lsm(name, name.substring(5));
        return null;
    }
}
