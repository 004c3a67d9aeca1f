package dev.jbcc.samples.skeleton;

import java.time.Duration;

/**
 * Prints every openat(2) of a path that starts with a prefix, as the BPF program decoded it, then
 * the per-process counts and the number matched. Usage: {@code OpenWatch PREFIX [SECONDS]}; it
 * stops after SECONDS (default 10) or when a line (or end of file) comes on standard input.
 * The class {@link Opensnoop} is generated from {@code src/main/bpf/opensnoop.bpf.c} at build time.
 */
public final class OpenWatch {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: OpenWatch PREFIX [SECONDS]");
            System.exit(2);
        }
        String prefix = args[0];
        Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        try (var o = Opensnoop.open().prefix(prefix).prefixLen(prefix.length()).seqBase(1000).load();
             var link = o.progs().handleOpenat().attach();
             var events = o.maps().events(e -> System.out.printf(
                     "event pid=%d tid=%d uid=%d gid=%d comm=%s filename=%s dfd=%d flags=%d mode=%s"
                             + " creat=%b excl=%b trunc=%b append=%b seq=%d%n",
                     e.task().pid(), e.task().tid(), e.task().uid(), e.task().gid(), e.comm(), e.filename(),
                     e.args()[0], e.args()[1], e.mode(), e.creat(), e.excl(), e.trunc(), e.append(), e.seq()))) {
            System.out.println("ready prefix=" + o.rodata().prefix());
            System.out.flush();
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    int c;
                    do c = System.in.read(); while (c != -1 && c != '\n');
                } catch (java.io.IOException e) {
                    // stop as on end of input
                }
                stop.set(true);
            });
            long end = System.nanoTime() + duration.toNanos();
            while (!stop.get() && System.nanoTime() < end) events.poll(Duration.ofMillis(100));
            events.consume();
            o.maps().counts().forEach((key, count) ->
                    System.out.printf("count pid=%d comm=%s n=%d%n", key.pid(), key.comm(), count));
            System.out.println("matched " + o.bss().matched());
        }
    }
}
