package dev.jbcc.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Fails a test (never skips it) that needs a kernel feature the running kernel lacks: see
 * {@link RequiresKprobes}, {@link RequiresFentry}, {@link RequiresBpfLsm}. Class-level annotations
 * are checked before {@code @BeforeAll} methods run, so those fail with this message rather than
 * with the kernel's errno.
 */
public final class KernelFeatureCheck implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context, context.getRequiredTestClass());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context, context.getRequiredTestClass());
        check(context, context.getRequiredTestMethod());
    }

    private static void check(ExtensionContext context, AnnotatedElement element) {
        for (KernelFeature feature : required(element)) {
            String missing = feature.missingReason();
            if (missing == null) continue;
            throw new AssertionError("This test needs " + feature.description() + ", which the running kernel "
                    + release() + " lacks: " + missing + ". It is tagged \"" + feature.tag()
                    + "\", which the host build excludes; run it in the VM suite: scripts/vmtest --select-class "
                    + context.getRequiredTestClass().getName());
        }
    }

    /** The features {@code element} requires, from the annotations on it (also as meta-annotations). */
    static Set<KernelFeature> required(AnnotatedElement element) {
        Set<KernelFeature> features = EnumSet.noneOf(KernelFeature.class);
        if (AnnotationSupport.isAnnotated(element, RequiresKprobes.class)) features.add(KernelFeature.KPROBES);
        if (AnnotationSupport.isAnnotated(element, RequiresFentry.class)) features.add(KernelFeature.FENTRY);
        if (AnnotationSupport.isAnnotated(element, RequiresBpfLsm.class)) features.add(KernelFeature.BPF_LSM);
        if (AnnotationSupport.isAnnotated(element, RequiresModuleBtf.class)) features.add(KernelFeature.MODULE_BTF);
        return features;
    }

    private static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "(release unreadable: " + e.getMessage() + ")";
        }
    }
}
