package dev.jbcc.bcc.dialect;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which tags of a program are looked up in the modules' BTF: those the running kernel's vmlinux
 * BTF lacks and the program does not define. (Compiling with a module's types needs loaded
 * modules: BpfModuleTypesTest in the VM suite.)
 */
class ModuleTypesTest {

    @Test
    void tagsVmlinuxLacksAndTheProgramDoesNotDefineAreLookedUpInModules() {
        String text = """
                struct mine { int x; };
                struct mine___again;
                int f(struct task_struct *t, struct mine *m, union jbcc_absent_u *u, enum jbcc_absent_e e,
                      struct jbcc_absent_s *s, struct jbcc_absent_s *again) { return 0; }
                """;
        TreeSet<String> missing = ModuleTypes.missingFromVmlinux(text);
        assertEquals(new TreeSet<>(List.of("enum jbcc_absent_e", "struct jbcc_absent_s", "struct mine___again",
                "union jbcc_absent_u")), missing);
        // No loaded module has them either: the program gets no extra header.
        assertEquals("", ModuleTypes.header(text));
    }
}
