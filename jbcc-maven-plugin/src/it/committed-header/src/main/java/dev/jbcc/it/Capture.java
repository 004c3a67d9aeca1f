package dev.jbcc.it;

import java.util.ArrayList;
import java.util.List;

/** Runs an action with the skeleton attached to the calling thread and returns what the ring buffer decoded. */
public final class Capture {
    private Capture() {}

    public static List<Tidwatch.Opened> opens(int tid, Runnable action) {
        var seen = new ArrayList<Tidwatch.Opened>();
        try (var o = Tidwatch.open().targetTid(tid).load();
             var link = o.progs().handleOpenat().attach();
             var events = o.maps().opens(seen::add)) {   // a Consumer<Tidwatch.Opened>: <eventTypes> named it
            action.run();
            events.consume();
        }
        return seen;
    }
}
