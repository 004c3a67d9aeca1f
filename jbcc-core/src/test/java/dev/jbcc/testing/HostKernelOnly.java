package dev.jbcc.testing;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test checks behaviour of kernels newer than the VM suite's 6.1 (the host runs 6.18), so the
 * VM suite ({@code scripts/vmtest}) excludes it. Tagged {@value KernelFeature#HOST_ONLY_TAG}.
 * Say which kernel version brought the behaviour, e.g.
 * {@code @HostKernelOnly("log_true_size: Linux 6.4")}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(KernelFeature.HOST_ONLY_TAG)
public @interface HostKernelOnly {
    /** What the test needs and the first kernel that has it. */
    String value();
}
