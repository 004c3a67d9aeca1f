package dev.jbcc.internal.sys;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@link Fd} inside a kernel object of jbcc's API ({@code BpfMap}, {@code Program}), for the
 * packages of jbcc-core that pass it to the kernel, without a public method that would hand this
 * unexported type to users. Each such class registers how to reach its fd when it is initialized
 * (which happens before any instance exists), so this package needs to know none of them.
 */
public final class Handles {
    private Handles() {}

    private static final Map<Class<?>, Function<Object, Fd>> ACCESSORS = new ConcurrentHashMap<>();

    /** Called once by {@code type}'s static initializer. */
    public static <T> void register(Class<T> type, Function<T, Fd> accessor) {
        ACCESSORS.put(type, owner -> accessor.apply(type.cast(owner)));
    }

    /** The fd {@code owner} holds; it stays owned by {@code owner} (dup it to keep it longer). */
    public static Fd of(Object owner) {
        Function<Object, Fd> accessor = ACCESSORS.get(owner.getClass());
        if (accessor == null) throw new IllegalArgumentException(owner.getClass().getName() + " holds no kernel object fd");
        return accessor.apply(owner);
    }
}
