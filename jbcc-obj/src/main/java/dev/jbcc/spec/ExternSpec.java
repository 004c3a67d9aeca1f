package dev.jbcc.spec;

/**
 * An {@code extern} the object declares and the loader must supply from the running kernel.
 *
 * @param name    the C name
 * @param kind    where the value comes from
 * @param weak    declared {@code __weak}: a loader may use 0 (or skip the kfunc) if the kernel lacks it
 * @param btfType id of the extern's BTF {@code VAR} (kconfig, ksym variable) or {@code FUNC} (kfunc), 0 without BTF
 */
public record ExternSpec(String name, Kind kind, boolean weak, int btfType) {
    public enum Kind {
        /** {@code extern ... __kconfig}: {@code LINUX_KERNEL_VERSION}, {@code CONFIG_*}, read from the kernel config. */
        KCONFIG,
        /** {@code extern ... __ksym} variable: a kernel symbol's address, by BTF id or kallsyms. */
        KSYM,
        /** {@code extern ... __ksym} function: a kfunc, called by BTF id. */
        KFUNC
    }
}
