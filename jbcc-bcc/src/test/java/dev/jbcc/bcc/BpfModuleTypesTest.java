package dev.jbcc.bcc;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import dev.jbcc.testing.FdLeakCheck;
import dev.jbcc.testing.RequiresModuleBtf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A program naming a type that only a loaded module's BTF has (veth's {@code struct veth_priv},
 * which vmlinux lacks) compiles against a header of the module's types, loads and runs, with the
 * module BTF's layout. The host has no kernel modules: the VM suite runs it (its guest loads veth).
 */
@RequiresModuleBtf
@ExtendWith(FdLeakCheck.class)
class BpfModuleTypesTest {

    @Test
    void aModuleTypeIsCompiledWithTheModulesLayout() throws Exception {
        Btf veth = Btf.kernelModule("veth");
        assertEquals(0, Btf.kernel().lookup("veth_priv", BtfType.Struct.class).length,
                "vmlinux has struct veth_priv: pick a type only the module has");
        BtfType.Struct priv = veth.find("veth_priv", BtfType.Struct.class).orElseThrow();
        BtfType.Member last = priv.members().getLast();
        String text = """
                BPF_ARRAY(layout, u64, 2);
                RAW_TRACEPOINT_PROBE(sys_enter) {
                    u32 size = 0, offset = 1;
                    u64 s = sizeof(struct veth_priv);
                    u64 o = __builtin_offsetof(struct veth_priv, %s);
                    layout.update(&size, &s);
                    layout.update(&offset, &o);
                    return 0;
                }
                """.formatted(last.name());
        try (BPF b = BPF.fromText(text)) {
            ArrayTable layout = b.get("layout");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (layout.get(0).value() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // a system call of this JVM's runs the program
            }
            assertEquals(priv.size(), layout.get(0).value(), "sizeof(struct veth_priv) as the veth module's BTF has it");
            assertEquals(last.bitOffset() / 8, layout.get(1).value(), "offset of " + last.name());
            assertTrue(priv.size() > 0);
        }
    }
}
