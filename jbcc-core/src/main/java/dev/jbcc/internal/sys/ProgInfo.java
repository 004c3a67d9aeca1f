package dev.jbcc.internal.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/**
 * The scalar fields of {@code struct bpf_prog_info}.
 *
 * @param tag             the 8-byte program tag (hash of the instructions)
 * @param loadTime        ns since boot when loaded
 * @param runTimeNs       total run time, counted while stats are enabled
 * @param verifiedInsns   instructions the verifier processed (5.16+)
 */
public record ProgInfo(int type, int id, byte[] tag, int jitedProgLen, int xlatedProgLen, long loadTime,
                       int createdByUid, int nrMapIds, String name, boolean gplCompatible, int btfId,
                       long runTimeNs, long runCnt, long recursionMisses, int verifiedInsns,
                       int attachBtfObjId, int attachBtfId) {
    static ProgInfo read(MemorySegment s) {
        byte[] tag = s.asSlice(BpfInfo.Prog.TAG, 8).toArray(ValueLayout.JAVA_BYTE);
        return new ProgInfo(s.get(U32, BpfInfo.Prog.TYPE), s.get(U32, BpfInfo.Prog.ID), tag,
                s.get(U32, BpfInfo.Prog.JITED_PROG_LEN), s.get(U32, BpfInfo.Prog.XLATED_PROG_LEN),
                s.get(U64, BpfInfo.Prog.LOAD_TIME), s.get(U32, BpfInfo.Prog.CREATED_BY_UID),
                s.get(U32, BpfInfo.Prog.NR_MAP_IDS), Mem.getName(s, BpfInfo.Prog.NAME, 16),
                (s.get(U32, BpfInfo.Prog.GPL_COMPATIBLE_WORD) & 1) != 0, s.get(U32, BpfInfo.Prog.BTF_ID),
                s.get(U64, BpfInfo.Prog.RUN_TIME_NS), s.get(U64, BpfInfo.Prog.RUN_CNT),
                s.get(U64, BpfInfo.Prog.RECURSION_MISSES), s.get(U32, BpfInfo.Prog.VERIFIED_INSNS),
                s.get(U32, BpfInfo.Prog.ATTACH_BTF_OBJ_ID), s.get(U32, BpfInfo.Prog.ATTACH_BTF_ID));
    }
}
