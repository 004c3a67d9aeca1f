package dev.jbcc.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Fails (never skips) a test tagged with a {@link KernelFeature} that the running kernel lacks,
 * before the test or its class's {@code @BeforeAll} touches the kernel, and says where to run
 * it instead. Registered by {@link RequiresKprobes}, {@link RequiresFentry} and
 * {@link RequiresBpfLsm}; checks the tags, so a plain {@code @Tag("kprobes")} on the class counts too.
 */
public final class KernelFeatureCheck implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context);
    }

    private static void check(ExtensionContext context) {
        List<String> missing = context.getTags().stream().sorted()
                .flatMap(tag -> KernelFeature.forTag(tag).stream())
                .flatMap(feature -> feature.missing().map(why -> feature.tag() + ": " + why).stream())
                .toList();
        if (missing.isEmpty()) return;
        String where = context.getTestClass().map(c -> " --select-class " + c.getName()).orElse("");
        throw new AssertionError(context.getDisplayName() + " needs kernel features that this kernel ("
                + kernelRelease() + ") lacks:\n  " + String.join("\n  ", missing)
                + "\nThe host build leaves these tags out (host.excluded.tags in the root pom); the VM suite runs"
                + " them on Debian's 6.1 kernel: scripts/vmtest" + where);
    }

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "release unknown: " + e.getMessage();
        }
    }
}
