package dev.jbcc.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test needs fentry/fexit programs ({@link KernelFeature#FENTRY}). Tagged "fentry": the host build excludes it and
 * the VM suite runs it ({@code scripts/vmtest --select-class ...}). On a kernel without the
 * feature the test fails with a message saying so; it is never skipped.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("fentry")
@ExtendWith(KernelFeatureCheck.class)
public @interface RequiresFentry {}
