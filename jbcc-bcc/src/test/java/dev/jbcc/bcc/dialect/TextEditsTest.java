package dev.jbcc.bcc.dialect;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TextEditsTest {
    @Test
    void aReplacedRangeKeepsItsLineBreaks() {
        var edits = new TextEdits("a BPF_HASH(x,\n  u32)\nb\n");
        edits.replace(2, 20, "MAP");
        assertEquals("a MAP\n\nb\n", edits.apply());
    }

    @Test
    void continuationLinesInsideADefineStayContinued() {
        var edits = new TextEdits("#define M BPF_HASH(x, \\\n u32)\nM;\n");
        edits.replace(10, 29, "MAP");
        assertEquals("#define M MAP \\\n\nM;\n", edits.apply());
    }

    @Test
    void nestedInsertionsWrapInnerInsideOuter() {
        // p->q->r: the outer read [0, 7) at depth 1 wraps the inner read [0, 4) at depth 2.
        var edits = new TextEdits("p->q->r;");
        edits.insert(0, "INNER(", 2);
        edits.insert(4, ")INNER", -2);
        edits.insert(0, "OUTER(", 1);
        edits.insert(7, ")OUTER", -1);
        assertEquals("OUTER(INNER(p->q)INNER->r)OUTER;", edits.apply());
    }

    @Test
    void editTextMustNotAddLines() {
        var edits = new TextEdits("x");
        assertThrows(IllegalArgumentException.class, () -> edits.insert(0, "a\nb"));
    }

    @Test
    void overlappingReplacementsAreRefused() {
        var edits = new TextEdits("abcdef");
        edits.replace(0, 4, "x");
        edits.replace(2, 5, "y");
        assertThrows(IllegalStateException.class, edits::apply);
    }
}
