package dev.jbcc.btf.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CO-RE's "essential name": a local type name less its {@code ___flavour} suffix. */
class NamesTest {
    @Test
    void essentialNamesDropTheLastFlavour() {
        assertEquals("task_struct", Names.essential("task_struct___v1"));
        assertEquals("task_struct", Names.essential("task_struct"));
        assertEquals("a___b", Names.essential("a___b___c"));
        assertEquals("foo___", Names.essential("foo___"), "a flavour needs a name after the underscores");
        assertEquals("foo____bar", Names.essential("foo____bar"), "four underscores are no separator");
        assertEquals("___x", Names.essential("___x"));
        assertTrue(Names.match("PIDTYPE_SID___v1", "PIDTYPE_SID"));
        assertFalse(Names.match("", "x"));
        assertTrue(Names.match("", ""));
    }
}
