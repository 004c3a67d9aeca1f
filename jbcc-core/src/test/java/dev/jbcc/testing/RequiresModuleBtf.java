package dev.jbcc.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test needs loaded kernel modules with BTF ({@link KernelFeature#MODULE_BTF}). Tagged "modules": the host build excludes it and
 * the VM suite runs it ({@code scripts/vmtest --select-class ...}). On a kernel without the
 * feature the test fails with a message saying so; it is never skipped.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("modules")
@ExtendWith(KernelFeatureCheck.class)
public @interface RequiresModuleBtf {}
