package dev.jbcc.link;

import dev.jbcc.features.Feature;
import dev.jbcc.Program;
import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Bpf;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Handles;
import dev.jbcc.internal.sys.LinkCreateAttr;
import dev.jbcc.spec.AttachType;
import dev.jbcc.spec.ProgramType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A {@code SEC("iter/KIND")} program made into an iterator link (5.8+). Each {@link #open()}
 * starts a fresh walk whose output (what the program wrote with {@code BPF_SEQ_PRINTF} /
 * {@code bpf_seq_write}) is read from an {@link Iter}; a pinned iterator link can also be read
 * as a file ({@code cat /sys/fs/bpf/PIN}).
 *
 * <pre>{@code
 * try (IterLink tasks = IterLink.attach(prog)) { String text = tasks.readText(); }
 * }</pre>
 */
public final class IterLink implements BpfLinkBacked {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    /** sizeof(union bpf_iter_link_info). */
    private static final int ITER_INFO_SIZE = 16;

    private final String kind;
    private final RawLink link;

    private IterLink(String kind, RawLink link) {
        this.kind = kind;
        this.link = link;
    }

    public static IterLink attach(Program program) {
        return attach(program, IterOptions.all());
    }

    /** @throws IllegalArgumentException if the program is not an iterator ({@code SEC("iter/...")}) */
    public static IterLink attach(Program program, IterOptions options) {
        if (program.type() != ProgramType.TRACING || program.attachType() != AttachType.TRACE_ITER) {
            throw new IllegalArgumentException("program '" + program.name() + "' is a " + program.type()
                    + (program.attachType() != null ? "/" + program.attachType() : "")
                    + " program; IterLink needs an iterator (SEC(\"iter/task\") etc., TRACING/TRACE_ITER)");
        }
        try (Arena arena = Arena.ofConfined()) {
            var attr = new LinkCreateAttr(arena).progFd(Handles.of(program)).attachType(AttachType.TRACE_ITER.value());
            if (!options.isAll()) {
                MemorySegment info = arena.allocate(ITER_INFO_SIZE, 8);
                if (options.map() != null) {
                    info.set(U32, 0, Handles.of(options.map()).raw()); // map.map_fd
                } else {
                    info.set(U32, 0, options.tid());                // task.tid
                    info.set(U32, 4, options.pid());                // task.pid
                }
                attr.iterInfo(info, ITER_INFO_SIZE);
            }
            try {
                return new IterLink(program.attachTarget(), new RawLink(Bpf.linkCreate(attr)));
            } catch (SyscallException e) {
                if (e.errno() == Errno.EINVAL && (options.pid() != 0 || options.tid() != 0)) {
                    throw Feature.TASK_ITER_FILTER.unsupported(
                            "iterate all tasks and filter in the program (or this iterator kind takes no pid)");
                }
                if (e.errno() == Errno.EINVAL || e.errno() == Errno.EBADF) {
                    throw new SyscallException("BPF_LINK_CREATE (iter/" + program.attachTarget() + ")", e.errno(),
                            options.map() == null ? "map iterators need IterOptions.ofMap(map)"
                                    : "the map does not suit this iterator kind");
                }
                throw e;
            }
        }
    }

    /** Starts a walk (BPF_ITER_CREATE); read it, then close it. */
    public Iter open() {
        return new Iter(Bpf.iterCreate(link.handle()));
    }

    /** Runs the iterator once and returns all it printed, decoded as UTF-8. */
    public String readText() {
        try (Iter iter = open()) {
            return iter.read();
        }
    }

    /** The iterator kind named in the section (e.g. {@code task}). */
    public String kind() {
        return kind;
    }

    @Override
    public RawLink rawLink() {
        return link;
    }

    @Override
    public String toString() {
        return "IterLink[" + kind + ", " + link + "]";
    }
}
