package dev.jbcc.bcc.dialect;

import dev.jbcc.internal.sys.FdTrace;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Fails a test class that leaves jbcc file descriptors open (tests run on the class path, so FdTrace is reachable). */
public final class FdLeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FdLeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        FdTrace.enable();
        context.getStore(NS).put("mark", FdTrace.mark());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        long mark = context.getStore(NS).get("mark", Long.class);
        List<FdTrace.Origin> leaks = FdTrace.leakedSince(mark);
        if (leaks.isEmpty()) return;
        var text = new StringWriter();
        var out = new PrintWriter(text);
        out.println(context.getDisplayName() + " leaked " + leaks.size() + " file descriptor(s):");
        for (FdTrace.Origin leak : leaks) leak.where().printStackTrace(out);
        out.flush();
        throw new AssertionError(text.toString());
    }
}
