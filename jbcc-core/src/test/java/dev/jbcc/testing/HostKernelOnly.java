package dev.jbcc.testing;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test (class or method) that needs a kernel newer than the VM suite's 6.1: the host
 * build runs it, {@code scripts/vmtest} leaves it out. Say which feature and kernel in
 * {@link #value()}; prefer making the test hold on both kernels where the difference is data
 * (for example, compare only what the older kernel has).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(KernelTags.HOST_ONLY)
public @interface HostKernelOnly {
    /** What the test needs that 6.1 lacks, e.g. "BPF_F_... (6.6)". */
    String value();
}
