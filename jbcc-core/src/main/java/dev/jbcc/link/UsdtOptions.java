package dev.jbcc.link;

import java.util.Objects;

/**
 * Which USDT probe to attach to, and how.
 *
 * @param target   the binary or library holding the probe: a path, or a library name as in
 *                 {@link UprobeOptions#target()} (e.g. the JDK's {@code .../lib/server/libjvm.so})
 * @param provider e.g. {@code hotspot}
 * @param name     e.g. {@code thread__start}
 * @param pid      only this process triggers the probe; -1 for every process using the binary
 * @param cookie   what {@code bpf_usdt_cookie()} returns in the program (libbpf convention)
 * @param method   how each site's uprobe is created
 */
public record UsdtOptions(String target, String provider, String name, int pid, long cookie,
                          UprobeOptions.Method method) {
    public UsdtOptions {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        if (pid == 0 || pid < -1) throw new IllegalArgumentException("pid must be a process id or -1 for all, not " + pid);
    }

    public static UsdtOptions of(String target, String provider, String name) {
        return new UsdtOptions(target, provider, name, -1, 0, UprobeOptions.Method.AUTO);
    }

    public UsdtOptions withPid(int pid) {
        return new UsdtOptions(target, provider, name, pid, cookie, method);
    }

    public UsdtOptions withCookie(long cookie) {
        return new UsdtOptions(target, provider, name, pid, cookie, method);
    }

    public UsdtOptions withMethod(UprobeOptions.Method method) {
        return new UsdtOptions(target, provider, name, pid, cookie, method);
    }
}
