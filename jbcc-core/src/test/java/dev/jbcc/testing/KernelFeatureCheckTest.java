package dev.jbcc.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The kernel-feature tags and their check, on whichever kernel runs this (untagged: both the
 * host build and the VM suite run it). A sample test needing a feature runs where the kernel has
 * it and fails, never skips, where it does not.
 */
class KernelFeatureCheckTest {

    @ParameterizedTest
    @EnumSource(KernelFeature.class)
    void aTestClassNeedingAFeatureRunsWhereItIsAndFailsWhereItIsNot(KernelFeature feature) {
        Class<?> sample = switch (feature) {
            case KPROBES -> NeedsKprobes.class;
            case FENTRY -> NeedsFentry.class;
            case BPF_LSM -> NeedsBpfLsm.class;
            case MODULE_BTF -> NeedsModuleBtf.class;
        };
        EngineExecutionResults results = run(sample);
        results.containerEvents().assertStatistics(s -> s.skipped(0).aborted(0));
        if (feature.isAvailable()) {
            results.testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0).skipped(0).aborted(0));
            return;
        }
        // The class fails before its @BeforeAll methods, which may already need the feature.
        results.testEvents().assertStatistics(s -> s.started(0).skipped(0));
        results.containerEvents().assertStatistics(s -> s.failed(1));
        assertNamesFeatureAndVm(results.containerEvents(), feature, sample);
    }

    @Test
    void aTestMethodNeedingAFeatureRunsWhereItIsAndFailsWhereItIsNot() {
        EngineExecutionResults results = run(MethodNeedsKprobes.class);
        results.containerEvents().assertStatistics(s -> s.failed(0).skipped(0).aborted(0));
        if (KernelFeature.KPROBES.isAvailable()) {
            results.testEvents().assertStatistics(s -> s.started(2).succeeded(2).failed(0).skipped(0).aborted(0));
            return;
        }
        // Only the method that needs kprobes fails; its sibling runs.
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1).skipped(0).aborted(0));
        assertNamesFeatureAndVm(results.testEvents(), KernelFeature.KPROBES, MethodNeedsKprobes.class);
    }

    private static EngineExecutionResults run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute();
    }

    private static void assertNamesFeatureAndVm(Events events, KernelFeature feature, Class<?> sample) {
        Throwable failure = events.failed().list().getFirst().getPayload(TestExecutionResult.class)
                .orElseThrow().getThrowable().orElseThrow();
        String message = failure.getMessage();
        assertTrue(message.contains(feature.missingReason()), message);
        assertTrue(message.contains("tagged \"" + feature.tag() + "\""), message);
        assertTrue(message.contains("scripts/vmtest --select-class " + sample.getName()), message);
    }

    @Test
    void theHostBuildLeavesOutExactlyTheFeatureTags() throws IOException {
        // Tests run in the module's directory; the property is in the parent pom.
        String pom = Files.readString(Path.of("..", "pom.xml"));
        Matcher m = Pattern.compile("<host\\.excluded\\.tags>([^<]*)</host\\.excluded\\.tags>").matcher(pom);
        assertTrue(m.find(), "no host.excluded.tags in the root pom");
        Set<String> excluded = Arrays.stream(m.group(1).split(",")).map(String::trim).collect(Collectors.toSet());
        Set<String> features = Arrays.stream(KernelFeature.values()).map(KernelFeature::tag).collect(Collectors.toSet());
        assertEquals(features, excluded);
    }

    @Test
    void featureTagsAreDistinctAndNoneIsHostOnly() {
        Set<String> tags = Arrays.stream(KernelFeature.values()).map(KernelFeature::tag).collect(Collectors.toSet());
        assertEquals(KernelFeature.values().length, tags.size(), tags.toString());
        assertFalse(tags.contains(KernelFeature.HOST_ONLY_TAG));
    }

    // Samples: not *Test, so neither Surefire nor the console launcher picks them up themselves.

    @RequiresKprobes
    static class NeedsKprobes {
        @Test
        void runs() {}
    }

    @RequiresFentry
    static class NeedsFentry {
        @Test
        void runs() {}
    }

    @RequiresBpfLsm
    static class NeedsBpfLsm {
        @Test
        void runs() {}
    }

    @RequiresModuleBtf
    static class NeedsModuleBtf {
        @Test
        void runs() {}
    }

    static class MethodNeedsKprobes {
        @Test
        @RequiresKprobes
        void needsKprobes() {}

        @Test
        void needsNothing() {}
    }
}
