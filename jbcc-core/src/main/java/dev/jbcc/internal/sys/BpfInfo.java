package dev.jbcc.internal.sys;

import java.lang.foreign.StructLayout;

import static dev.jbcc.internal.sys.BpfAttr.chars;
import static dev.jbcc.internal.sys.BpfAttr.off;
import static dev.jbcc.internal.sys.BpfAttr.u32;
import static dev.jbcc.internal.sys.BpfAttr.u64;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;

/**
 * The info structs BPF_OBJ_GET_INFO_BY_FD fills, laid out from include/uapi/linux/bpf.h
 * (Linux 6.18), native byte order. The kernel fills at most {@code info_len} bytes and zeroes
 * nothing beyond what it knows, so buffers are allocated zeroed at the layout's full size.
 */
public final class BpfInfo {
    private BpfInfo() {}

    /** {@code struct bpf_map_info}. */
    public static final class Map {
        private Map() {}

        public static final StructLayout LAYOUT = structLayout(
                u32("type"), u32("id"), u32("key_size"), u32("value_size"), u32("max_entries"), u32("map_flags"),
                chars("name", 16), u32("ifindex"), u32("btf_vmlinux_value_type_id"), u64("netns_dev"),
                u64("netns_ino"), u32("btf_id"), u32("btf_key_type_id"), u32("btf_value_type_id"),
                u32("btf_vmlinux_id"), u64("map_extra"), u64("hash"), u32("hash_size"), paddingLayout(4));

        public static final long TYPE = off(LAYOUT, "type"), ID = off(LAYOUT, "id"), KEY_SIZE = off(LAYOUT, "key_size"),
                VALUE_SIZE = off(LAYOUT, "value_size"), MAX_ENTRIES = off(LAYOUT, "max_entries"),
                MAP_FLAGS = off(LAYOUT, "map_flags"), NAME = off(LAYOUT, "name"), IFINDEX = off(LAYOUT, "ifindex"),
                BTF_ID = off(LAYOUT, "btf_id"), BTF_KEY_TYPE_ID = off(LAYOUT, "btf_key_type_id"),
                BTF_VALUE_TYPE_ID = off(LAYOUT, "btf_value_type_id"), MAP_EXTRA = off(LAYOUT, "map_extra");
    }

    /** {@code struct bpf_prog_info}; {@code gpl_compatible} is bit 0 of the word at {@link #GPL_COMPATIBLE_WORD}. */
    public static final class Prog {
        private Prog() {}

        public static final StructLayout LAYOUT = structLayout(
                u32("type"), u32("id"), chars("tag", 8), u32("jited_prog_len"), u32("xlated_prog_len"),
                u64("jited_prog_insns"), u64("xlated_prog_insns"), u64("load_time"), u32("created_by_uid"),
                u32("nr_map_ids"), u64("map_ids"), chars("name", 16), u32("ifindex"),
                u32("gpl_compatible_word"), u64("netns_dev"), u64("netns_ino"), u32("nr_jited_ksyms"),
                u32("nr_jited_func_lens"), u64("jited_ksyms"), u64("jited_func_lens"), u32("btf_id"),
                u32("func_info_rec_size"), u64("func_info"), u32("nr_func_info"), u32("nr_line_info"),
                u64("line_info"), u64("jited_line_info"), u32("nr_jited_line_info"), u32("line_info_rec_size"),
                u32("jited_line_info_rec_size"), u32("nr_prog_tags"), u64("prog_tags"), u64("run_time_ns"),
                u64("run_cnt"), u64("recursion_misses"), u32("verified_insns"), u32("attach_btf_obj_id"),
                u32("attach_btf_id"), paddingLayout(4));

        public static final long TYPE = off(LAYOUT, "type"), ID = off(LAYOUT, "id"), TAG = off(LAYOUT, "tag"),
                JITED_PROG_LEN = off(LAYOUT, "jited_prog_len"), XLATED_PROG_LEN = off(LAYOUT, "xlated_prog_len"),
                JITED_PROG_INSNS = off(LAYOUT, "jited_prog_insns"), XLATED_PROG_INSNS = off(LAYOUT, "xlated_prog_insns"),
                LOAD_TIME = off(LAYOUT, "load_time"), CREATED_BY_UID = off(LAYOUT, "created_by_uid"),
                NR_MAP_IDS = off(LAYOUT, "nr_map_ids"), MAP_IDS = off(LAYOUT, "map_ids"), NAME = off(LAYOUT, "name"),
                IFINDEX = off(LAYOUT, "ifindex"), GPL_COMPATIBLE_WORD = off(LAYOUT, "gpl_compatible_word"),
                BTF_ID = off(LAYOUT, "btf_id"), FUNC_INFO_REC_SIZE = off(LAYOUT, "func_info_rec_size"),
                FUNC_INFO = off(LAYOUT, "func_info"), NR_FUNC_INFO = off(LAYOUT, "nr_func_info"),
                NR_LINE_INFO = off(LAYOUT, "nr_line_info"), LINE_INFO = off(LAYOUT, "line_info"),
                LINE_INFO_REC_SIZE = off(LAYOUT, "line_info_rec_size"), NR_PROG_TAGS = off(LAYOUT, "nr_prog_tags"),
                PROG_TAGS = off(LAYOUT, "prog_tags"), RUN_TIME_NS = off(LAYOUT, "run_time_ns"),
                RUN_CNT = off(LAYOUT, "run_cnt"), RECURSION_MISSES = off(LAYOUT, "recursion_misses"),
                VERIFIED_INSNS = off(LAYOUT, "verified_insns"), ATTACH_BTF_OBJ_ID = off(LAYOUT, "attach_btf_obj_id"),
                ATTACH_BTF_ID = off(LAYOUT, "attach_btf_id");
    }

    /** {@code struct bpf_btf_info}. */
    public static final class Btf {
        private Btf() {}

        public static final StructLayout LAYOUT = structLayout(
                u64("btf"), u32("btf_size"), u32("id"), u64("name"), u32("name_len"), u32("kernel_btf"));

        public static final long BTF = off(LAYOUT, "btf"), BTF_SIZE = off(LAYOUT, "btf_size"), ID = off(LAYOUT, "id"),
                NAME = off(LAYOUT, "name"), NAME_LEN = off(LAYOUT, "name_len"), KERNEL_BTF = off(LAYOUT, "kernel_btf");
    }
}
