package dev.jbcc.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tool collection: every tool by name, in the groups {@code jbcc tools} lists. A new tool is
 * one line here.
 */
public final class Tools {
    /** The groups, in the order {@code jbcc tools} lists them. */
    public enum Group {
        PROCESS("process"), FILES("files"), BLOCK("block I/O"), CPU("CPU and scheduler"), NETWORK("network"),
        TRACING("tracing multitools"), MEMORY("memory"), OTHER("other"),
        /** {@code jbcc jvm TOOL}: tools that look into JVMs through HotSpot's probes, named {@code jvm NAME}. */
        JVM("Java virtual machines (jbcc jvm TOOL)");

        private final String title;

        Group(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    /** One tool: its name, group, one-line summary and class. */
    public record Entry(String name, Group group, Class<? extends Tool> type) {
        /** The first line of the tool's description. */
        public String summary() {
            String[] d = type.getAnnotation(Command.class).description();
            return d.length == 0 ? "" : d[0];
        }

        /** A fresh instance of the tool, its options at their defaults. */
        public Tool create() {
            try {
                return type.getDeclaredConstructor().newInstance();
            } catch (InstantiationException | IllegalAccessException | NoSuchMethodException e) {
                throw new IllegalStateException(type + " needs a public no-argument constructor", e);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException(type + " failed to construct", e.getCause());
            }
        }
    }

    private static final Map<String, Entry> ALL = new LinkedHashMap<>();

    private static void add(Group group, Class<? extends Tool> type) {
        String name = (group == Group.JVM ? "jvm " : "") + type.getAnnotation(Command.class).name();
        if (ALL.put(name, new Entry(name, group, type)) != null) throw new IllegalStateException("two tools named " + name);
    }

    // One line per tool, in its group's block (keep each block's order: the order people use them).
    static {
        // process
        add(Group.PROCESS, dev.jbcc.tools.process.Execsnoop.class);
        add(Group.PROCESS, dev.jbcc.tools.process.Exitsnoop.class);
        add(Group.PROCESS, dev.jbcc.tools.process.Killsnoop.class);
        add(Group.PROCESS, dev.jbcc.tools.process.Threadsnoop.class);
        add(Group.PROCESS, dev.jbcc.tools.process.Pidpersec.class);
        // end of process

        // files
        add(Group.FILES, dev.jbcc.tools.files.Opensnoop.class);
        add(Group.FILES, dev.jbcc.tools.files.Statsnoop.class);
        add(Group.FILES, dev.jbcc.tools.files.Syncsnoop.class);
        add(Group.FILES, dev.jbcc.tools.files.Mountsnoop.class);
        add(Group.FILES, dev.jbcc.tools.files.Filelife.class);
        add(Group.FILES, dev.jbcc.tools.files.Fileslower.class);
        add(Group.FILES, dev.jbcc.tools.files.Filetop.class);
        add(Group.FILES, dev.jbcc.tools.files.Vfsstat.class);
        add(Group.FILES, dev.jbcc.tools.files.Vfscount.class);
        add(Group.FILES, dev.jbcc.tools.files.Dcstat.class);
        add(Group.FILES, dev.jbcc.tools.files.Dcsnoop.class);
        add(Group.FILES, dev.jbcc.tools.files.Filegone.class);
        add(Group.FILES, dev.jbcc.tools.files.Dirtop.class);
        // end of files

        // block I/O
        add(Group.BLOCK, dev.jbcc.tools.block.Biolatency.class);
        add(Group.BLOCK, dev.jbcc.tools.block.Biolatpcts.class);
        add(Group.BLOCK, dev.jbcc.tools.block.Biosnoop.class);
        add(Group.BLOCK, dev.jbcc.tools.block.Biotop.class);
        add(Group.BLOCK, dev.jbcc.tools.block.Bitesize.class);
        add(Group.BLOCK, dev.jbcc.tools.block.Biopattern.class);
        add(Group.BLOCK, dev.jbcc.tools.block.Mdflush.class);
        // end of block I/O

        // CPU and scheduler
        add(Group.CPU, dev.jbcc.tools.cpu.Runqlat.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Cpudist.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Runqslower.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Profile.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Offcputime.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Hardirqs.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Softirqs.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Runqlen.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Wakeuptime.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Offwaketime.class);
        add(Group.CPU, dev.jbcc.tools.cpu.Llcstat.class);
        // end of CPU and scheduler

        // network
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpconnect.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpaccept.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcplife.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpstates.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpconnlat.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcptop.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpretrans.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcprtt.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpdrop.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpsynbl.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Solisten.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Bindsnoop.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Sofdsnoop.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Gethostlatency.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Sslsniff.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpsubnet.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Netqtop.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcptracer.class);
        add(Group.NETWORK, dev.jbcc.tools.net.Tcpcong.class);
        // end of network

        // tracing multitools
        add(Group.TRACING, dev.jbcc.tools.tracing.Tplist.class);
        add(Group.TRACING, dev.jbcc.tools.tracing.Funccount.class);
        add(Group.TRACING, dev.jbcc.tools.tracing.Funclatency.class);
        add(Group.TRACING, dev.jbcc.tools.tracing.Stackcount.class);
        add(Group.TRACING, dev.jbcc.tools.tracing.Trace.class);
        add(Group.TRACING, dev.jbcc.tools.tracing.Argdist.class);
        add(Group.TRACING, dev.jbcc.tools.tracing.Funcslower.class);
        add(Group.TRACING, dev.jbcc.tools.tracing.Funcinterval.class);
        // end of tracing multitools

        // memory
        add(Group.MEMORY, dev.jbcc.tools.memory.Oomkill.class);
        add(Group.MEMORY, dev.jbcc.tools.memory.Drsnoop.class);
        add(Group.MEMORY, dev.jbcc.tools.memory.Shmsnoop.class);
        add(Group.MEMORY, dev.jbcc.tools.memory.Slabratetop.class);
        add(Group.MEMORY, dev.jbcc.tools.memory.Cachestat.class);
        add(Group.MEMORY, dev.jbcc.tools.memory.Memleak.class);
        add(Group.MEMORY, dev.jbcc.tools.memory.Cachetop.class);
        // end of memory

        // other
        add(Group.OTHER, dev.jbcc.tools.other.Bpflist.class);
        add(Group.OTHER, dev.jbcc.tools.other.Bashreadline.class);
        add(Group.OTHER, dev.jbcc.tools.other.Capable.class);
        add(Group.OTHER, dev.jbcc.tools.other.Ttysnoop.class);
        add(Group.OTHER, dev.jbcc.tools.other.Syscount.class);
        add(Group.OTHER, dev.jbcc.tools.other.Wqlat.class);
        add(Group.OTHER, dev.jbcc.tools.other.Compactsnoop.class);
        add(Group.OTHER, dev.jbcc.tools.other.Ext4slower.class);
        add(Group.OTHER, dev.jbcc.tools.other.Ext4dist.class);
        add(Group.OTHER, dev.jbcc.tools.other.Xfsslower.class);
        add(Group.OTHER, dev.jbcc.tools.other.Xfsdist.class);
        add(Group.OTHER, dev.jbcc.tools.other.Btrfsslower.class);
        add(Group.OTHER, dev.jbcc.tools.other.Btrfsdist.class);
        add(Group.OTHER, dev.jbcc.tools.other.Cpuunclaimed.class);
        add(Group.OTHER, dev.jbcc.tools.other.Numasched.class);
        add(Group.OTHER, dev.jbcc.tools.other.Readahead.class);
        add(Group.OTHER, dev.jbcc.tools.other.Deadlock.class);
        add(Group.OTHER, dev.jbcc.tools.other.Virtiostat.class);
        add(Group.OTHER, dev.jbcc.tools.other.Klockstat.class);
        // end of other

        // Java virtual machines
        add(Group.JVM, dev.jbcc.tools.jvm.Threads.class);
        add(Group.JVM, dev.jbcc.tools.jvm.Gc.class);
        add(Group.JVM, dev.jbcc.tools.jvm.Classload.class);
        add(Group.JVM, dev.jbcc.tools.jvm.Compile.class);
        add(Group.JVM, dev.jbcc.tools.jvm.Objnew.class);
        add(Group.JVM, dev.jbcc.tools.jvm.Calls.class);
        add(Group.JVM, dev.jbcc.tools.jvm.Flow.class);
        add(Group.JVM, dev.jbcc.tools.jvm.Safepoint.class);
        add(Group.JVM, dev.jbcc.tools.jvm.Stat.class);
        // end of Java virtual machines
    }

    private Tools() {
    }

    /** Every tool, grouped, in listing order. */
    public static List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        for (Group g : Group.values()) ALL.values().stream().filter(e -> e.group() == g).forEach(out::add);
        return out;
    }

    /** The tool named {@code name}. */
    public static Optional<Entry> find(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    /**
     * A command line for a new instance of {@code entry}: named {@code jbcc NAME}, jbcc's error
     * handling, and {@code -v} as an alias of {@code --verbose} where the tool leaves {@code -v} free.
     */
    public static CommandLine commandLine(Entry entry, Tool tool) {
        CommandLine cl = new CommandLine(tool);
        cl.setCommandName("jbcc " + entry.name());
        var spec = cl.getCommandSpec();
        if (spec.findOption("-v") == null) {
            spec.addOption(CommandLine.Model.OptionSpec.builder("-v").description("Same as --verbose.")
                    .type(boolean.class).arity("0")
                    .setter(new CommandLine.Model.ISetter() {
                        @Override
                        public <T> T set(T value) {
                            if (Boolean.TRUE.equals(value)) tool.options.verbose = true;
                            return null;
                        }
                    }).build());
        }
        return Errors.handled(cl);
    }

    /** Prints the tools, grouped, one line each: what {@code jbcc tools} shows. */
    public static void list(PrintWriter out) {
        Group current = null;
        for (Entry e : all()) {
            if (e.group() != current) {
                if (current != null) out.println();
                current = e.group();
                out.println(current.title() + ":");
            }
            out.printf("  %-16s %s%n", e.name(), e.summary());
        }
        out.flush();
    }
}
