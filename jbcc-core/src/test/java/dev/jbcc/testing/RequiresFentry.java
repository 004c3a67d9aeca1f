package dev.jbcc.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test (class or method) that needs fentry/fexit programs (BPF trampolines). The tag keeps it out of the host build,
 * which lacks the feature, and {@code scripts/vmtest} runs it on Debian's 6.1 kernel. Run where
 * the feature is missing anyway, the test fails, naming what is missing: it is never skipped.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(KernelTags.FENTRY)
@ExtendWith(KernelFeatureCheck.class)
public @interface RequiresFentry {
}
