package dev.jbcc.tools.other;

import dev.jbcc.tools.Hook;

/** What ext4slower and ext4dist share: the hooks on ext4's file operations, and their names. */
final class Ext4 {
    /** ext4's file operations, traced on entry and return. */
    static final String[] FUNCTIONS = {"ext4_file_read_iter", "ext4_file_write_iter", "ext4_file_open", "ext4_sync_file"};
    static final Hook KPROBES = Hook.kprobe(FUNCTIONS);
    static final Hook FENTRY = Hook.fentry(FUNCTIONS);
    /** The T column by the C's TRACE_READ, TRACE_WRITE, TRACE_OPEN, TRACE_FSYNC. */
    static final String[] TYPES = {"R", "W", "O", "S"};

    private Ext4() {
    }
}
