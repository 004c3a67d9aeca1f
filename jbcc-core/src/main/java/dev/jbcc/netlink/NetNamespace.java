package dev.jbcc.netlink;

import dev.jbcc.errors.Errno;
import dev.jbcc.errors.SyscallException;
import dev.jbcc.internal.sys.Fd;
import dev.jbcc.internal.sys.Libc;
import dev.jbcc.internal.sys.Sockets;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A network namespace to work in: {@link #call} runs code on a dedicated thread that has entered
 * it with {@code setns(2)}, so that sockets, netlink clients, device names and bpf_link ifindexes
 * made there all belong to the namespace. Objects made inside keep their namespace when used
 * from other threads afterwards (a socket belongs to the namespace it was created in).
 *
 * <p>Only that one thread changes namespace; the rest of the JVM stays where it was. The thread
 * ends on {@link #close()}, which also drops this object's reference to the namespace.
 */
public final class NetNamespace implements AutoCloseable {
    /** Where {@code ip netns add NAME} bind-mounts named namespaces. */
    public static final Path NAMED_NETNS_DIR = Path.of("/var/run/netns");

    /** Code to run in the namespace; it may throw a checked exception of type {@code E}. */
    @FunctionalInterface
    public interface Task<T, E extends Exception> {
        T run() throws E;
    }

    private final String name;
    private final Fd nsFd;
    private final ExecutorService executor;
    private volatile Thread worker;

    private NetNamespace(String name, Fd nsFd) {
        this.name = name;
        this.nsFd = nsFd;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = Thread.ofPlatform().daemon().name("jbcc-netns-" + name).unstarted(r);
            worker = t;
            return t;
        });
    }

    /**
     * Opens the namespace {@code ip netns add NAME} made (/var/run/netns/NAME).
     *
     * @throws SyscallException (ENOENT) naming the namespace if there is none of that name
     */
    public static NetNamespace named(String name) {
        if (name.isEmpty() || name.contains("/")) throw new IllegalArgumentException("not a namespace name: '" + name + "'");
        return open(NAMED_NETNS_DIR.resolve(name), name);
    }

    /** Opens a namespace by its nsfs path, e.g. /proc/PID/ns/net. */
    public static NetNamespace of(Path path) {
        return open(path, path.toString());
    }

    private static NetNamespace open(Path path, String name) {
        int raw;
        try (Arena arena = Arena.ofConfined()) {
            raw = Sockets.open(arena.allocateFrom(path.toString()), Libc.O_RDONLY | Libc.O_CLOEXEC);
        }
        if (raw < 0) {
            throw new SyscallException("open network namespace " + path, -raw,
                    -raw == Errno.ENOENT ? "there is no network namespace '" + name + "' (ip netns list shows them)" : null);
        }
        NetNamespace ns = new NetNamespace(name, Fd.adopt(raw));
        try {
            // Enter once, on the thread's first task; a failure closes everything.
            ns.submitAndWait(() -> {
                int rc = Sockets.setns(ns.nsFd.raw(), Sockets.CLONE_NEWNET);
                if (rc < 0) throw new SyscallException("setns(" + path + ", CLONE_NEWNET)", -rc);
                return null;
            });
            return ns;
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /**
     * Runs {@code task} inside the namespace and returns its result; its exceptions reach the
     * caller unchanged. Calls from inside a task run directly (no deadlock).
     *
     * @throws IllegalStateException if this namespace handle is closed
     */
    public <T, E extends Exception> T call(Task<T, E> task) throws E {
        if (Thread.currentThread() == worker) return task.run();
        return submitAndWait(task);
    }

    /** {@link #call} for code without a result. */
    public <E extends Exception> void run(Task<Void, E> task) throws E {
        call(task);
    }

    @SuppressWarnings("unchecked")
    private <T, E extends Exception> T submitAndWait(Task<T, E> task) throws E {
        Future<T> future;
        try {
            future = executor.submit(task::run);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("network namespace " + name + " is closed", e);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    // The task may be half-way through a kernel change: let it finish, keep the interrupt.
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) throw r;
                    if (cause instanceof Error err) throw err;
                    throw (E) cause; // only E can get here: Task.run declares nothing else
                } catch (CancellationException e) {
                    throw new IllegalStateException("network namespace " + name + " was closed during the call", e);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Ends the thread and closes the namespace fd. Idempotent. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            boolean ended = executor.awaitTermination(java.time.Duration.ofSeconds(30).toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!ended) executor.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nsFd.close();
    }

    @Override
    public String toString() {
        return "NetNamespace[" + name + "]";
    }
}
