package dev.jbcc.tools.other;

import dev.jbcc.tools.Columns;
import dev.jbcc.tools.Hook;
import dev.jbcc.tools.Session;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One file system's file operations that its {@code *slower} and {@code *dist} tools time (from
 * the entry of each function to its return), and how bcc's tools name the file system. File
 * systems have no tracepoints there: kprobes, or fentry on the functions in the kernel's BTF.
 *
 * @param name     as bcc's headers write it ({@code ext4}, {@code XFS}, {@code btrfs})
 * @param read     the {@code read_iter} file operation
 * @param write    the {@code write_iter} file operation
 * @param open     the {@code open} file operation
 * @param fsync    the {@code fsync} file operation
 * @param pidWidth the slower tool's PID column width (bcc's btrfsslower is one wider)
 */
record FileSystemOps(String name, String read, String write, String open, String fsync, int pidWidth) {
    static final FileSystemOps EXT4 = new FileSystemOps("ext4", "ext4_file_read_iter", "ext4_file_write_iter",
            "ext4_file_open", "ext4_sync_file", 6);
    static final FileSystemOps XFS = new FileSystemOps("XFS", "xfs_file_read_iter", "xfs_file_write_iter",
            "xfs_file_open", "xfs_file_fsync", 6);
    static final FileSystemOps BTRFS = new FileSystemOps("btrfs", "btrfs_file_read_iter", "btrfs_file_write_iter",
            "btrfs_file_open", "btrfs_sync_file", 7);

    /** The C, for every file system. */
    static final String RESOURCE = "fsops.bpf.c";
    /** The T column by the C's TRACE_READ, TRACE_WRITE, TRACE_OPEN, TRACE_FSYNC. */
    static final String[] TYPES = {"R", "W", "O", "S"};

    List<String> functions() {
        return List.of(read, write, open, fsync);
    }

    Hook kprobes() {
        return Hook.kprobe(functions().toArray(String[]::new));
    }

    Hook fentry() {
        return Hook.fentry(functions().toArray(String[]::new));
    }

    /** The first of kprobes and fentry the kernel has, or one line naming what each lacks. */
    Hook choose(Session s) {
        return s.choose(kprobes(), fentry());
    }

    /** The C's defines for these functions, with the tool's own. */
    Map<String, Object> defines(Map<String, Object> tool) {
        Map<String, Object> defines = new LinkedHashMap<>();
        defines.put("READ_FN", read);
        defines.put("WRITE_FN", write);
        defines.put("OPEN_FN", open);
        defines.put("FSYNC_FN", fsync);
        defines.putAll(tool);
        return defines;
    }

    /** The slower tool's columns. */
    Columns columns() {
        return Columns.of("%-8s %-14.14s %-" + pidWidth + "d %1s %-7d %-8d %7.2f %s",
                "TIME", "COMM", "PID", "T", "BYTES", "OFF_KB", "LAT(ms)", "FILENAME");
    }
}
