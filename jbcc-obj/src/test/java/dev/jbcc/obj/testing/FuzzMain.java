package dev.jbcc.obj.testing;

import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

/**
 * Runs one {@code @FuzzTest} for a bounded time, for {@code scripts/fuzz}: {@code FuzzMain
 * Class#method(byte[]) SECONDS}. Run with {@code JAZZER_FUZZ=1} to fuzz (without it, the target
 * runs its seed corpus only). Exits 0 if the target found nothing.
 */
public final class FuzzMain {
    private FuzzMain() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: FuzzMain Class#method(byte[]) SECONDS");
            System.exit(2);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(args[0]))
                .configurationParameter("jazzer.max_duration", args[1] + "s")
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter err = new PrintWriter(System.err, true);
        summary.printFailuresTo(err, 30);
        boolean ran = summary.getTestsSucceededCount() + summary.getTestsFailedCount() > 0;
        if (!ran) err.println("fuzz: " + args[0] + " did not run (is the selector right?)");
        System.exit(ran && summary.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
