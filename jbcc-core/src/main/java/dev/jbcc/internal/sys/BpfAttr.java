package dev.jbcc.internal.sys;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;

/**
 * The members of {@code union bpf_attr}, one {@link StructLayout} per command, laid out from
 * include/uapi/linux/bpf.h (Linux 6.18) with every padding hole spelled out. Kernel structs use
 * native byte order. Offsets are computed once from the layouts.
 *
 * <p>Every attr is allocated {@link #UNION_SIZE} bytes and zeroed: the kernel rejects unknown
 * non-zero tail bytes, so fields we do not set must read as zero. The size passed to bpf(2) is
 * the command's own layout size, which older kernels accept as long as what lies beyond their
 * own {@code union bpf_attr} is zero.
 */
public final class BpfAttr {
    private BpfAttr() {}

    /** Bytes allocated for every attr; larger than sizeof(union bpf_attr) (168 on 6.18). */
    public static final long UNION_SIZE = 256;

    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.nativeOrder());
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.nativeOrder());

    static ValueLayout.OfInt u32(String name) {
        return U32.withName(name);
    }

    static ValueLayout.OfLong u64(String name) {
        return U64.withName(name);
    }

    static MemoryLayout chars(String name, int n) {
        return sequenceLayout(n, ValueLayout.JAVA_BYTE).withName(name);
    }

    static long off(MemoryLayout layout, String... path) {
        var elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) elements[i] = groupElement(path[i]);
        return layout.byteOffset(elements);
    }

    /** BPF_MAP_CREATE. */
    public static final class MapCreate {
        private MapCreate() {}

        public static final StructLayout LAYOUT = structLayout(
                u32("map_type"), u32("key_size"), u32("value_size"), u32("max_entries"),
                u32("map_flags"), u32("inner_map_fd"), u32("numa_node"), chars("map_name", 16),
                u32("map_ifindex"), u32("btf_fd"), u32("btf_key_type_id"), u32("btf_value_type_id"),
                u32("btf_vmlinux_value_type_id"), u64("map_extra"), u32("value_type_btf_obj_fd"),
                u32("map_token_fd"), u64("excl_prog_hash"), u32("excl_prog_hash_size"), paddingLayout(4));

        public static final long MAP_TYPE = off(LAYOUT, "map_type"), KEY_SIZE = off(LAYOUT, "key_size"),
                VALUE_SIZE = off(LAYOUT, "value_size"), MAX_ENTRIES = off(LAYOUT, "max_entries"),
                MAP_FLAGS = off(LAYOUT, "map_flags"), INNER_MAP_FD = off(LAYOUT, "inner_map_fd"),
                NUMA_NODE = off(LAYOUT, "numa_node"), MAP_NAME = off(LAYOUT, "map_name"),
                MAP_IFINDEX = off(LAYOUT, "map_ifindex"), BTF_FD = off(LAYOUT, "btf_fd"),
                BTF_KEY_TYPE_ID = off(LAYOUT, "btf_key_type_id"), BTF_VALUE_TYPE_ID = off(LAYOUT, "btf_value_type_id"),
                BTF_VMLINUX_VALUE_TYPE_ID = off(LAYOUT, "btf_vmlinux_value_type_id"),
                MAP_EXTRA = off(LAYOUT, "map_extra"), VALUE_TYPE_BTF_OBJ_FD = off(LAYOUT, "value_type_btf_obj_fd"),
                MAP_TOKEN_FD = off(LAYOUT, "map_token_fd");
    }

    /** BPF_MAP_LOOKUP_ELEM, UPDATE_ELEM, DELETE_ELEM, GET_NEXT_KEY, LOOKUP_AND_DELETE_ELEM, FREEZE. */
    public static final class MapElem {
        private MapElem() {}

        public static final StructLayout LAYOUT = structLayout(
                u32("map_fd"), paddingLayout(4), u64("key"),
                unionLayout(u64("value"), u64("next_key")).withName("value_or_next_key"),
                u64("flags"));

        public static final long MAP_FD = off(LAYOUT, "map_fd"), KEY = off(LAYOUT, "key"),
                VALUE = off(LAYOUT, "value_or_next_key", "value"),
                NEXT_KEY = off(LAYOUT, "value_or_next_key", "next_key"), FLAGS = off(LAYOUT, "flags");
    }

    /** BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH ({@code attr.batch}). */
    public static final class MapBatch {
        private MapBatch() {}

        public static final StructLayout LAYOUT = structLayout(
                u64("in_batch"), u64("out_batch"), u64("keys"), u64("values"),
                u32("count"), u32("map_fd"), u64("elem_flags"), u64("flags"));

        public static final long IN_BATCH = off(LAYOUT, "in_batch"), OUT_BATCH = off(LAYOUT, "out_batch"),
                KEYS = off(LAYOUT, "keys"), VALUES = off(LAYOUT, "values"), COUNT = off(LAYOUT, "count"),
                MAP_FD = off(LAYOUT, "map_fd"), ELEM_FLAGS = off(LAYOUT, "elem_flags"), FLAGS = off(LAYOUT, "flags");
    }

    /** BPF_PROG_LOAD. */
    public static final class ProgLoad {
        private ProgLoad() {}

        public static final StructLayout LAYOUT = structLayout(
                u32("prog_type"), u32("insn_cnt"), u64("insns"), u64("license"),
                u32("log_level"), u32("log_size"), u64("log_buf"), u32("kern_version"), u32("prog_flags"),
                chars("prog_name", 16), u32("prog_ifindex"), u32("expected_attach_type"), u32("prog_btf_fd"),
                u32("func_info_rec_size"), u64("func_info"), u32("func_info_cnt"), u32("line_info_rec_size"),
                u64("line_info"), u32("line_info_cnt"), u32("attach_btf_id"),
                unionLayout(u32("attach_prog_fd"), u32("attach_btf_obj_fd")).withName("attach_target"),
                u32("core_relo_cnt"), u64("fd_array"), u64("core_relos"), u32("core_relo_rec_size"),
                u32("log_true_size"), u32("prog_token_fd"), u32("fd_array_cnt"), u64("signature"),
                u32("signature_size"), u32("keyring_id"));

        public static final long PROG_TYPE = off(LAYOUT, "prog_type"), INSN_CNT = off(LAYOUT, "insn_cnt"),
                INSNS = off(LAYOUT, "insns"), LICENSE = off(LAYOUT, "license"), LOG_LEVEL = off(LAYOUT, "log_level"),
                LOG_SIZE = off(LAYOUT, "log_size"), LOG_BUF = off(LAYOUT, "log_buf"),
                KERN_VERSION = off(LAYOUT, "kern_version"), PROG_FLAGS = off(LAYOUT, "prog_flags"),
                PROG_NAME = off(LAYOUT, "prog_name"), PROG_IFINDEX = off(LAYOUT, "prog_ifindex"),
                EXPECTED_ATTACH_TYPE = off(LAYOUT, "expected_attach_type"), PROG_BTF_FD = off(LAYOUT, "prog_btf_fd"),
                FUNC_INFO_REC_SIZE = off(LAYOUT, "func_info_rec_size"), FUNC_INFO = off(LAYOUT, "func_info"),
                FUNC_INFO_CNT = off(LAYOUT, "func_info_cnt"), LINE_INFO_REC_SIZE = off(LAYOUT, "line_info_rec_size"),
                LINE_INFO = off(LAYOUT, "line_info"), LINE_INFO_CNT = off(LAYOUT, "line_info_cnt"),
                ATTACH_BTF_ID = off(LAYOUT, "attach_btf_id"),
                ATTACH_PROG_FD = off(LAYOUT, "attach_target", "attach_prog_fd"),
                ATTACH_BTF_OBJ_FD = off(LAYOUT, "attach_target", "attach_btf_obj_fd"),
                CORE_RELO_CNT = off(LAYOUT, "core_relo_cnt"), FD_ARRAY = off(LAYOUT, "fd_array"),
                CORE_RELOS = off(LAYOUT, "core_relos"), CORE_RELO_REC_SIZE = off(LAYOUT, "core_relo_rec_size"),
                LOG_TRUE_SIZE = off(LAYOUT, "log_true_size"), PROG_TOKEN_FD = off(LAYOUT, "prog_token_fd"),
                FD_ARRAY_CNT = off(LAYOUT, "fd_array_cnt");
    }

    /** BPF_OBJ_PIN and BPF_OBJ_GET. */
    public static final class Obj {
        private Obj() {}

        public static final StructLayout LAYOUT = structLayout(
                u64("pathname"), u32("bpf_fd"), u32("file_flags"), u32("path_fd"), paddingLayout(4));

        public static final long PATHNAME = off(LAYOUT, "pathname"), BPF_FD = off(LAYOUT, "bpf_fd"),
                FILE_FLAGS = off(LAYOUT, "file_flags"), PATH_FD = off(LAYOUT, "path_fd");
    }

    /** BPF_PROG_ATTACH and BPF_PROG_DETACH. */
    public static final class ProgAttach {
        private ProgAttach() {}

        public static final StructLayout LAYOUT = structLayout(
                unionLayout(u32("target_fd"), u32("target_ifindex")).withName("target"),
                u32("attach_bpf_fd"), u32("attach_type"), u32("attach_flags"), u32("replace_bpf_fd"),
                unionLayout(u32("relative_fd"), u32("relative_id")).withName("relative"),
                u64("expected_revision"));

        public static final long TARGET_FD = off(LAYOUT, "target", "target_fd"),
                ATTACH_BPF_FD = off(LAYOUT, "attach_bpf_fd"), ATTACH_TYPE = off(LAYOUT, "attach_type"),
                ATTACH_FLAGS = off(LAYOUT, "attach_flags"), REPLACE_BPF_FD = off(LAYOUT, "replace_bpf_fd"),
                RELATIVE_FD = off(LAYOUT, "relative", "relative_fd"),
                EXPECTED_REVISION = off(LAYOUT, "expected_revision");
    }

    /** BPF_PROG_TEST_RUN ({@code attr.test}). */
    public static final class TestRun {
        private TestRun() {}

        public static final StructLayout LAYOUT = structLayout(
                u32("prog_fd"), u32("retval"), u32("data_size_in"), u32("data_size_out"),
                u64("data_in"), u64("data_out"), u32("repeat"), u32("duration"),
                u32("ctx_size_in"), u32("ctx_size_out"), u64("ctx_in"), u64("ctx_out"),
                u32("flags"), u32("cpu"), u32("batch_size"), paddingLayout(4));

        public static final long PROG_FD = off(LAYOUT, "prog_fd"), RETVAL = off(LAYOUT, "retval"),
                DATA_SIZE_IN = off(LAYOUT, "data_size_in"), DATA_SIZE_OUT = off(LAYOUT, "data_size_out"),
                DATA_IN = off(LAYOUT, "data_in"), DATA_OUT = off(LAYOUT, "data_out"), REPEAT = off(LAYOUT, "repeat"),
                DURATION = off(LAYOUT, "duration"), CTX_SIZE_IN = off(LAYOUT, "ctx_size_in"),
                CTX_SIZE_OUT = off(LAYOUT, "ctx_size_out"), CTX_IN = off(LAYOUT, "ctx_in"),
                CTX_OUT = off(LAYOUT, "ctx_out"), FLAGS = off(LAYOUT, "flags"), CPU = off(LAYOUT, "cpu"),
                BATCH_SIZE = off(LAYOUT, "batch_size");
    }

    /** BPF_{PROG,MAP,BTF,LINK}_GET_NEXT_ID and _GET_FD_BY_ID. */
    public static final class GetId {
        private GetId() {}

        public static final StructLayout LAYOUT = structLayout(
                unionLayout(u32("start_id"), u32("prog_id"), u32("map_id"), u32("btf_id"), u32("link_id"))
                        .withName("id"),
                u32("next_id"), u32("open_flags"), u32("fd_by_id_token_fd"));

        public static final long ID = off(LAYOUT, "id", "start_id"), NEXT_ID = off(LAYOUT, "next_id"),
                OPEN_FLAGS = off(LAYOUT, "open_flags");
    }

    /** BPF_OBJ_GET_INFO_BY_FD ({@code attr.info}). */
    public static final class InfoByFd {
        private InfoByFd() {}

        public static final StructLayout LAYOUT = structLayout(u32("bpf_fd"), u32("info_len"), u64("info"));

        public static final long BPF_FD = off(LAYOUT, "bpf_fd"), INFO_LEN = off(LAYOUT, "info_len"),
                INFO = off(LAYOUT, "info");
    }

    /** BPF_RAW_TRACEPOINT_OPEN ({@code attr.raw_tracepoint}). */
    public static final class RawTracepointOpen {
        private RawTracepointOpen() {}

        public static final StructLayout LAYOUT = structLayout(
                u64("name"), u32("prog_fd"), paddingLayout(4), u64("cookie"));

        public static final long NAME = off(LAYOUT, "name"), PROG_FD = off(LAYOUT, "prog_fd"),
                COOKIE = off(LAYOUT, "cookie");
    }

    /** BPF_BTF_LOAD. */
    public static final class BtfLoad {
        private BtfLoad() {}

        public static final StructLayout LAYOUT = structLayout(
                u64("btf"), u64("btf_log_buf"), u32("btf_size"), u32("btf_log_size"), u32("btf_log_level"),
                u32("btf_log_true_size"), u32("btf_flags"), u32("btf_token_fd"));

        public static final long BTF = off(LAYOUT, "btf"), BTF_LOG_BUF = off(LAYOUT, "btf_log_buf"),
                BTF_SIZE = off(LAYOUT, "btf_size"), BTF_LOG_SIZE = off(LAYOUT, "btf_log_size"),
                BTF_LOG_LEVEL = off(LAYOUT, "btf_log_level"), BTF_LOG_TRUE_SIZE = off(LAYOUT, "btf_log_true_size"),
                BTF_FLAGS = off(LAYOUT, "btf_flags"), BTF_TOKEN_FD = off(LAYOUT, "btf_token_fd");
    }

    /** BPF_LINK_CREATE ({@code attr.link_create}); the per-kind tail is a union at {@link #TARGET_BTF_ID}. */
    public static final class LinkCreate {
        private LinkCreate() {}

        private static final StructLayout RELATIVE = structLayout(
                unionLayout(u32("relative_fd"), u32("relative_id")).withName("relative"), paddingLayout(4),
                u64("expected_revision"));

        static final UnionLayout TAIL = unionLayout(
                u32("target_btf_id"),
                structLayout(u64("iter_info"), u32("iter_info_len"), paddingLayout(4)).withName("iter"),
                structLayout(u64("bpf_cookie")).withName("perf_event"),
                structLayout(u32("flags"), u32("cnt"), u64("syms"), u64("addrs"), u64("cookies"))
                        .withName("kprobe_multi"),
                structLayout(u32("target_btf_id"), paddingLayout(4), u64("cookie")).withName("tracing"),
                structLayout(u32("pf"), u32("hooknum"), u32("priority"), u32("flags")).withName("netfilter"),
                RELATIVE.withName("tcx"),
                structLayout(u64("path"), u64("offsets"), u64("ref_ctr_offsets"), u64("cookies"), u32("cnt"),
                        u32("flags"), u32("pid"), paddingLayout(4)).withName("uprobe_multi"),
                RELATIVE.withName("netkit"),
                RELATIVE.withName("cgroup"));

        public static final StructLayout LAYOUT = structLayout(
                unionLayout(u32("prog_fd"), u32("map_fd")).withName("source"),
                unionLayout(u32("target_fd"), u32("target_ifindex")).withName("target"),
                u32("attach_type"), u32("flags"), TAIL.withName("tail"));

        public static final long PROG_FD = off(LAYOUT, "source", "prog_fd"),
                TARGET_FD = off(LAYOUT, "target", "target_fd"), ATTACH_TYPE = off(LAYOUT, "attach_type"),
                FLAGS = off(LAYOUT, "flags"),
                TARGET_BTF_ID = off(LAYOUT, "tail", "target_btf_id"),
                ITER_INFO = off(LAYOUT, "tail", "iter", "iter_info"),
                ITER_INFO_LEN = off(LAYOUT, "tail", "iter", "iter_info_len"),
                PERF_EVENT_BPF_COOKIE = off(LAYOUT, "tail", "perf_event", "bpf_cookie"),
                KPROBE_MULTI_FLAGS = off(LAYOUT, "tail", "kprobe_multi", "flags"),
                KPROBE_MULTI_CNT = off(LAYOUT, "tail", "kprobe_multi", "cnt"),
                KPROBE_MULTI_SYMS = off(LAYOUT, "tail", "kprobe_multi", "syms"),
                KPROBE_MULTI_ADDRS = off(LAYOUT, "tail", "kprobe_multi", "addrs"),
                KPROBE_MULTI_COOKIES = off(LAYOUT, "tail", "kprobe_multi", "cookies"),
                TRACING_TARGET_BTF_ID = off(LAYOUT, "tail", "tracing", "target_btf_id"),
                TRACING_COOKIE = off(LAYOUT, "tail", "tracing", "cookie"),
                NETFILTER_PF = off(LAYOUT, "tail", "netfilter", "pf"),
                NETFILTER_HOOKNUM = off(LAYOUT, "tail", "netfilter", "hooknum"),
                NETFILTER_PRIORITY = off(LAYOUT, "tail", "netfilter", "priority"),
                NETFILTER_FLAGS = off(LAYOUT, "tail", "netfilter", "flags"),
                TCX_RELATIVE_FD = off(LAYOUT, "tail", "tcx", "relative", "relative_fd"),
                TCX_EXPECTED_REVISION = off(LAYOUT, "tail", "tcx", "expected_revision"),
                UPROBE_MULTI_PATH = off(LAYOUT, "tail", "uprobe_multi", "path"),
                UPROBE_MULTI_OFFSETS = off(LAYOUT, "tail", "uprobe_multi", "offsets"),
                UPROBE_MULTI_REF_CTR_OFFSETS = off(LAYOUT, "tail", "uprobe_multi", "ref_ctr_offsets"),
                UPROBE_MULTI_COOKIES = off(LAYOUT, "tail", "uprobe_multi", "cookies"),
                UPROBE_MULTI_CNT = off(LAYOUT, "tail", "uprobe_multi", "cnt"),
                UPROBE_MULTI_FLAGS = off(LAYOUT, "tail", "uprobe_multi", "flags"),
                UPROBE_MULTI_PID = off(LAYOUT, "tail", "uprobe_multi", "pid"),
                NETKIT_RELATIVE_FD = off(LAYOUT, "tail", "netkit", "relative", "relative_fd"),
                NETKIT_EXPECTED_REVISION = off(LAYOUT, "tail", "netkit", "expected_revision"),
                CGROUP_RELATIVE_FD = off(LAYOUT, "tail", "cgroup", "relative", "relative_fd"),
                CGROUP_EXPECTED_REVISION = off(LAYOUT, "tail", "cgroup", "expected_revision");
    }

    /** BPF_LINK_UPDATE ({@code attr.link_update}). */
    public static final class LinkUpdate {
        private LinkUpdate() {}

        public static final StructLayout LAYOUT = structLayout(
                u32("link_fd"), unionLayout(u32("new_prog_fd"), u32("new_map_fd")).withName("new"),
                u32("flags"), unionLayout(u32("old_prog_fd"), u32("old_map_fd")).withName("old"));

        public static final long LINK_FD = off(LAYOUT, "link_fd"), NEW_PROG_FD = off(LAYOUT, "new", "new_prog_fd"),
                FLAGS = off(LAYOUT, "flags"), OLD_PROG_FD = off(LAYOUT, "old", "old_prog_fd");
    }

    /** BPF_LINK_DETACH ({@code attr.link_detach}). */
    public static final class LinkDetach {
        private LinkDetach() {}

        public static final StructLayout LAYOUT = structLayout(u32("link_fd"));
        public static final long LINK_FD = off(LAYOUT, "link_fd");
    }

    /** BPF_ENABLE_STATS ({@code attr.enable_stats}). */
    public static final class EnableStats {
        private EnableStats() {}

        public static final StructLayout LAYOUT = structLayout(u32("type"));
        public static final long TYPE = off(LAYOUT, "type");
    }

    /** BPF_ITER_CREATE ({@code attr.iter_create}). */
    public static final class IterCreate {
        private IterCreate() {}

        public static final StructLayout LAYOUT = structLayout(u32("link_fd"), u32("flags"));
        public static final long LINK_FD = off(LAYOUT, "link_fd"), FLAGS = off(LAYOUT, "flags");
    }

    /** BPF_PROG_BIND_MAP ({@code attr.prog_bind_map}). */
    public static final class ProgBindMap {
        private ProgBindMap() {}

        public static final StructLayout LAYOUT = structLayout(u32("prog_fd"), u32("map_fd"), u32("flags"));
        public static final long PROG_FD = off(LAYOUT, "prog_fd"), MAP_FD = off(LAYOUT, "map_fd"),
                FLAGS = off(LAYOUT, "flags");
    }
}
