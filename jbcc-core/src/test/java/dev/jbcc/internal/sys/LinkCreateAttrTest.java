package dev.jbcc.internal.sys;

import dev.jbcc.spec.AttachType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** link_create's per-kind tail is one union: each kind's setter insists on an attach type that reads it. */
class LinkCreateAttrTest {
    @Test
    void aTailMemberIsWrittenOnlyForAnAttachTypeThatReadsIt() {
        try (Arena arena = Arena.ofConfined()) {
            var e = assertThrows(IllegalStateException.class,
                    () -> new LinkCreateAttr(arena).attachType(AttachType.TRACE_FENTRY.value()).perfEventCookie(7));
            assertTrue(e.getMessage().contains("link_create.perf_event"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> new LinkCreateAttr(arena).tracingCookie(7),
                    "no attach type set yet");

            var attr = new LinkCreateAttr(arena).attachType(AttachType.PERF_EVENT.value()).perfEventCookie(7);
            assertEquals(7, attr.segment().get(BpfAttr.U64, BpfAttr.LinkCreate.PERF_EVENT_BPF_COOKIE));
            var multi = new LinkCreateAttr(arena).attachType(AttachType.TRACE_KPROBE_MULTI.value())
                    .kprobeMulti(1, 3, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL);
            assertEquals(3, multi.segment().get(BpfAttr.U32, BpfAttr.LinkCreate.KPROBE_MULTI_CNT));
        }
    }
}
