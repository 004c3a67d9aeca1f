package dev.jbcc.features;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every probed entry of the {@link Feature} table against the running kernel, both ways, as cilium's
 * feature tests do: a feature that needs only a version must be there on a kernel at least that
 * new, and no feature may be there on a kernel older than its first version.
 */
class FeatureTableTest {
    @Test
    void everyEntryAgreesWithTheRunningKernel() {
        KernelVersion running = KernelVersion.current();
        List<String> wrong = new ArrayList<>();
        for (Feature f : Feature.values()) {
            if (!f.probed()) {
                System.out.println("FeatureTableTest: " + f + " (" + f.description() + ", from " + f.minimumKernel()
                        + "): no probe, named in errors only");
                continue;
            }
            boolean available = f.available();
            KernelVersion first = f.minimumKernel() == null ? null : KernelVersion.parse(f.minimumKernel());
            System.out.println("FeatureTableTest: " + f + " (" + f.description() + ", from "
                    + (first == null ? f.buildOption() : first + (f.buildOption() == null ? "" : " with " + f.buildOption()))
                    + "): " + (available ? "available" : "not available") + " on " + running);
            if (first != null && f.buildOption() == null && running.compareTo(first) >= 0 && !available)
                wrong.add(f + " is missing, though the table promises it from " + first);
            if (first != null && running.compareTo(first) < 0 && available)
                wrong.add(f + " is there on " + running + ", before the table's " + first);
        }
        assertEquals(List.of(), wrong);
    }
}
