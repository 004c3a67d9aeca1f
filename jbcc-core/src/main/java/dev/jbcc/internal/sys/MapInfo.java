package dev.jbcc.internal.sys;

import java.lang.foreign.MemorySegment;

import static dev.jbcc.internal.sys.BpfAttr.U32;
import static dev.jbcc.internal.sys.BpfAttr.U64;

/** The fields of {@code struct bpf_map_info} jbcc uses. */
public record MapInfo(int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
                      int ifindex, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra) {
    static MapInfo read(MemorySegment s) {
        return new MapInfo(s.get(U32, BpfInfo.Map.TYPE), s.get(U32, BpfInfo.Map.ID), s.get(U32, BpfInfo.Map.KEY_SIZE),
                s.get(U32, BpfInfo.Map.VALUE_SIZE), s.get(U32, BpfInfo.Map.MAX_ENTRIES),
                s.get(U32, BpfInfo.Map.MAP_FLAGS), Mem.getName(s, BpfInfo.Map.NAME, 16),
                s.get(U32, BpfInfo.Map.IFINDEX), s.get(U32, BpfInfo.Map.BTF_ID),
                s.get(U32, BpfInfo.Map.BTF_KEY_TYPE_ID), s.get(U32, BpfInfo.Map.BTF_VALUE_TYPE_ID),
                s.get(U64, BpfInfo.Map.MAP_EXTRA));
    }
}
