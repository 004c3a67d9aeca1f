package dev.jbcc.link;

import dev.jbcc.Collection;
import dev.jbcc.Program;
import dev.jbcc.errors.PinException;
import dev.jbcc.spec.ProgramSection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Auto-attach: attaches programs where their {@code SEC()} names say, as libbpf's
 * {@code bpf_program__attach} does. {@code kprobe/FN[+OFF]}, {@code kretprobe/FN},
 * {@code ksyscall/NAME}, {@code kretsyscall/NAME}, {@code kprobe.multi/GLOB}, {@code tracepoint/CAT/NAME},
 * {@code tp/CAT/NAME}, {@code raw_tp/NAME}, {@code tp_btf/NAME}, {@code fentry/FN}, {@code fexit/FN},
 * {@code fmod_ret/FN}, {@code lsm/HOOK}, {@code iter/KIND}, {@code uprobe/PATH:SYMBOL[+OFF]} and
 * {@code uretprobe/PATH:SYMBOL} attach with no more input. Kinds that need more (a device, a cgroup, a
 * perf event, USDT options) fail with an exception naming the link type to use.
 */
public final class Links {
    private Links() {}

    /**
     * Attaches one program by its section name.
     *
     * @throws IllegalArgumentException if the section names no target, or the kind needs more than the
     *                                  section says (the message names the link type to use)
     */
    /**
     * What {@link Link#pin} throws, for every kind, when the attachment has no bpf_link to pin.
     * @param instead how to attach so that it can be pinned, or null
     */
    static PinException cannotPin(String what, String instead) {
        return new PinException(PinException.Reason.NOT_PINNABLE, null, 0, what + " is not a bpf_link and cannot be pinned"
                + (instead == null ? "" : "; " + instead));
    }

    public static Link attach(Program program) {
        String section = program.sectionName();
        if (section == null || section.isEmpty()) {
            throw new IllegalArgumentException("program '" + program.name() + "' has no section name (it was not"
                    + " loaded from an ELF object), so there is nothing to auto-attach by; use a link type directly");
        }
        ProgramSection parsed = ProgramSection.parse(section).orElseThrow(() -> new IllegalArgumentException(
                "program '" + program.name() + "': section '" + section + "' follows no SEC() convention jbcc knows"));
        String kind = parsed.kind();
        String target = parsed.target() == null ? "" : parsed.target();
        return switch (kind) {
            case "kprobe", "kretprobe" -> {
                KprobeOptions options = kprobeTarget(program, section, target);
                yield KprobeLink.attach(program, kind.equals("kretprobe") ? options.asRetprobe() : options);
            }
            case "ksyscall", "kretsyscall" -> {
                String function = Kprobes.syscallFunction(need(program, section, target, "a syscall, e.g. ksyscall/openat"));
                KprobeOptions options = KprobeOptions.symbol(function);
                yield KprobeLink.attach(program, kind.equals("kretsyscall") ? options.asRetprobe() : options);
            }
            case "kprobe.multi", "kretprobe.multi" -> {
                KprobeMultiOptions options = KprobeMultiOptions.pattern(need(program, section, target, "a glob, e.g. kprobe.multi/vfs_*"));
                yield KprobeLink.attachMulti(program, kind.equals("kretprobe.multi") ? options.asRetprobe() : options);
            }
            case "tracepoint", "tp", "tracepoint.s", "tp.s" ->
                    TracepointLink.attach(program, TracepointOptions.parse(need(program, section, target,
                            "CATEGORY/NAME, e.g. tracepoint/syscalls/sys_enter_openat")));
            case "raw_tracepoint", "raw_tp", "raw_tracepoint.s", "raw_tp.s", "raw_tracepoint.w", "raw_tp.w" ->
                    RawTracepointLink.attach(program, need(program, section, target, "a tracepoint, e.g. raw_tp/sys_enter"));
            case "tp_btf", "tp_btf.s", "fentry", "fexit", "fmod_ret", "fentry.s", "fexit.s", "fmod_ret.s" ->
                    TracingLink.attach(program);
            case "lsm", "lsm.s" -> LsmLink.attach(program);
            case "iter", "iter.s" -> IterLink.attach(program);
            case "uprobe", "uretprobe", "uprobe.s", "uretprobe.s" -> {
                UprobeOptions options = uprobeTarget(program, section, target);
                yield UprobeLink.attach(program, kind.startsWith("uretprobe") ? options.asRetprobe() : options);
            }
            default -> throw new IllegalArgumentException(needsMore(program, section, kind));
        };
    }

    /**
     * Attaches every program of a collection (in name order). All or nothing: if one fails, the
     * links made so far are closed and the failure is thrown.
     */
    public static List<Link> attachAll(Collection collection) {
        return attachAll(collection.programs().values().stream().sorted(Comparator.comparing(Program::name)).toList());
    }

    /** Attaches each of {@code programs}, all or nothing. */
    public static List<Link> attachAll(List<Program> programs) {
        List<Link> links = new ArrayList<>(programs.size());
        try {
            for (Program p : programs) links.add(attach(p));
            return List.copyOf(links);
        } catch (RuntimeException e) {
            for (Link l : links) {
                try {
                    l.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static String need(Program program, String section, String target, String what) {
        if (target.isEmpty()) {
            throw new IllegalArgumentException("program '" + program.name() + "': section '" + section
                    + "' names no target to auto-attach to; write " + what);
        }
        return target;
    }

    /** {@code FN}, {@code FN+OFF} (decimal or 0x hex). */
    private static KprobeOptions kprobeTarget(Program program, String section, String target) {
        need(program, section, target, "a kernel function, e.g. kprobe/do_unlinkat");
        int plus = target.indexOf('+');
        if (plus < 0) return KprobeOptions.symbol(target);
        return KprobeOptions.symbol(target.substring(0, plus)).withOffset(parseOffset(program, section, target.substring(plus + 1)));
    }

    /** {@code PATH:SYMBOL} or {@code PATH:SYMBOL+OFF}; PATH may be a library name ({@code libc.so.6}). */
    private static UprobeOptions uprobeTarget(Program program, String section, String target) {
        int colon = target.lastIndexOf(':');
        if (colon <= 0 || colon == target.length() - 1) {
            throw new IllegalArgumentException("program '" + program.name() + "': section '" + section
                    + "' needs PATH:SYMBOL to auto-attach (e.g. uprobe//usr/lib/libc.so.6:malloc); otherwise attach it"
                    + " with UprobeLink.attach(program, UprobeOptions.symbol(path, symbol))");
        }
        String path = target.substring(0, colon), symbol = target.substring(colon + 1);
        int plus = symbol.indexOf('+');
        if (plus < 0) return UprobeOptions.symbol(path, symbol);
        return UprobeOptions.symbol(path, symbol.substring(0, plus))
                .withSymbolOffset(parseOffset(program, section, symbol.substring(plus + 1)));
    }

    private static long parseOffset(Program program, String section, String text) {
        try {
            return text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("program '" + program.name() + "': section '" + section
                    + "' has a malformed offset '" + text + "'", e);
        }
    }

    private static String needsMore(Program program, String section, String kind) {
        String prefix = "program '" + program.name() + "' (section '" + section + "') cannot be auto-attached: ";
        if (kind.startsWith("xdp")) return prefix + "XDP needs a network device; use XdpLink.attach(program, XdpOptions...)";
        if (kind.startsWith("tc") || kind.equals("classifier") || kind.equals("action")) {
            return prefix + "TC needs a network device and direction; use TcLink.attach(program, device, direction) (tcx on 6.6+, else a clsact bpf filter)";
        }
        if (kind.startsWith("usdt")) {
            return prefix + "USDT needs a binary and a probe; use UsdtLink.attach(program, UsdtOptions...)";
        }
        if (kind.startsWith("uprobe.multi") || kind.startsWith("uretprobe.multi")) {
            return prefix + "use UprobeLink.attachMulti(program, UprobeMultiOptions.symbols(path, symbols))";
        }
        if (kind.startsWith("cgroup") || kind.equals("sockops") || kind.startsWith("lsm_cgroup")) {
            return prefix + "cgroup programs need a cgroup; use CgroupLink.attach(program, cgroupDirectory)";
        }
        if (kind.equals("perf_event")) {
            return prefix + "perf_event programs need an event; use PerfEventLink.attach(program, PerfEventOptions.software(...))";
        }
        if (kind.equals("socket")) {
            return prefix + "socket filters need a socket or device; use SocketFilter";
        }
        return prefix + "jbcc has no auto-attach for '" + kind + "' programs; attach it with its link type";
    }
}
