package dev.jbcc.btf;

import dev.jbcc.errors.FormatException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BTF that parses but that C cannot express, as a fuzzer first found each: the header writer
 * throws FormatException naming the type (or writes a header), never ClassCast, IllegalArgument
 * or gigabytes of text.
 */
class MalformedBtfHeaderTest {
    static final BtfType.Int LONG = new BtfType.Int("long", 8, BtfType.IntEncoding.SIGNED, 0, 64);

    @Test
    void unionSmallerThanItsMemberIsWrittenAsIs() {
        // A 4-byte union with an 8-byte member: no C layout matches, so the members are written as they are.
        Btf btf = Btf.of(List.of(LONG, new BtfType.Union("u", 4, List.of(new BtfType.Member("wide", 1, 0, 0)))));
        String header = BtfHeaderWriter.header(btf);
        assertTrue(header.contains("union u {\n\tlong wide;\n} __attribute__((packed));"), header);
    }

    @Test
    void memberOfTypeVoid() {
        Btf btf = Btf.of(List.of(new BtfType.Struct("s", 8, List.of(new BtfType.Member("nothing", 0, 0, 0)))));
        FormatException e = assertThrows(FormatException.class, () -> BtfHeaderWriter.header(btf));
        assertEquals("BTF: member 'nothing' of type id 1 (STRUCT s) has type id 0 (VOID (anonymous)), which has no size",
                e.getMessage());
    }

    @Test
    void memberOfTypeFuncProto() {
        Btf btf = Btf.of(List.of(LONG, new BtfType.FuncProto(1, List.of(), false),
                new BtfType.Struct("s", 8, List.of(new BtfType.Member("f", 2, 0, 0)))));
        FormatException e = assertThrows(FormatException.class, () -> BtfHeaderWriter.header(btf));
        assertTrue(e.getMessage().contains("member 'f' of type id 3 (STRUCT s) has type id 2 (FUNC_PROTO"), e.getMessage());
    }

    @Test
    void hugeStructIsRefusedWithinTheOutputAllowance() {
        // 2 GB of struct with one 8-byte member: written naively, 2^28 lines of "long: 64;" padding.
        Btf btf = Btf.of(List.of(LONG, new BtfType.Struct("huge", Integer.MAX_VALUE & ~7,
                List.of(new BtfType.Member("first", 1, 0, 0)))));
        FormatException e = assertThrows(FormatException.class, () -> BtfHeaderWriter.header(btf));
        assertTrue(e.getMessage().contains("while writing type id 2 (STRUCT huge)"), e.getMessage());
    }

    @Test
    void pointerCycleIsRefused() {
        // Type 1 is a pointer to itself: no C declaration ends.
        Btf btf = Btf.of(List.of(new BtfType.Ptr(1), new BtfType.Typedef("loop", 1)));
        FormatException e = assertThrows(FormatException.class, () -> BtfHeaderWriter.header(btf));
        assertTrue(e.getMessage().contains("a reference cycle"), e.getMessage());
    }

    @Test
    void recordContainingItselfIsRefused() {
        Btf btf = Btf.of(List.of(new BtfType.Struct("s", 8, List.of(new BtfType.Member("self", 1, 0, 0)))));
        FormatException e = assertThrows(FormatException.class, () -> BtfHeaderWriter.header(btf));
        assertTrue(e.getMessage().contains("contains itself by value"), e.getMessage());
    }
}
