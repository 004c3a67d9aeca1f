package dev.jbcc.spec;

import dev.jbcc.btf.Btf;
import dev.jbcc.btf.BtfType;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BpfFlags} against the running kernel's BTF: bpf.h declares most map and link flags as
 * enumerators, which BTF keeps (the others are {@code #define}s, which it does not).
 */
class BpfFlagsTest {
    @Test
    void flagsTheKernelDeclaresAsEnumeratorsHaveTheKernelsValues() throws IllegalAccessException {
        Btf kernel = Btf.kernel();
        Map<String, Long> enumerators = new HashMap<>();
        for (int id = 1; id < kernel.typeCount(); id++) {
            if (kernel.type(id) instanceof BtfType.Enumeration e) {
                for (BtfType.EnumValue v : e.values()) {
                    if (v.name().startsWith("BPF_F_")) enumerators.putIfAbsent(v.name(), v.value());
                }
            }
        }
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (Field f : BpfFlags.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) continue;
            Long kernelValue = enumerators.get(f.getName());
            if (kernelValue == null) continue;
            checked++;
            long ours = f.getLong(null);
            if (ours != kernelValue) wrong.add(f.getName() + " = " + ours + ", the kernel's " + kernelValue);
        }
        assertEquals(List.of(), wrong);
        assertTrue(checked >= 10, "only " + checked + " of BpfFlags' flags are enumerators in the kernel's BTF");
    }
}
