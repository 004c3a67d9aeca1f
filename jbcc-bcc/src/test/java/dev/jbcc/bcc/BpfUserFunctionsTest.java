package dev.jbcc.bcc;

import dev.jbcc.errors.NotFoundException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BPF.getUserFunctions: the functions attachUprobeRegex attaches to, read from the C library's symbols. */
class BpfUserFunctionsTest {
    @Test
    void aliasesOfOneAddressCountOnce() {
        // glibc exports malloc and __libc_malloc at the same address: one uprobe, not two
        List<String> found = BPF.getUserFunctions("c", "(__libc_)?malloc$", -1);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.getFirst().equals("malloc") || found.getFirst().equals("__libc_malloc"), found.toString());
    }

    @Test
    void namesMatchFromTheStart() {
        // "getp" matches getpid and getppid, and nothing whose name only contains it
        List<String> found = BPF.getUserFunctions("c", "getpp?id$", -1);
        assertTrue(found.contains("getpid") && found.contains("getppid"), found.toString());
        assertTrue(found.stream().allMatch(n -> n.matches("(__)?getpp?id")), found.toString());
    }

    @Test
    void noMatchNamesTheBinary() {
        var e = assertThrows(NotFoundException.class, () -> BPF.getUserFunctions("c", "jbcc_no_such_function$", -1));
        assertTrue(e.getMessage().startsWith("no function in /") && e.getMessage().endsWith(" matches 'jbcc_no_such_function$'"), e.getMessage());
    }
}
