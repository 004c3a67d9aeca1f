/**
 * BTF, the BPF Type Format: parsing ({@link dev.jbcc.btf.Btf}: kernel, module and object BTF),
 * the type model ({@link dev.jbcc.btf.BtfType}, one record per kind, types referring to each
 * other by id), {@code .BTF.ext} ({@link dev.jbcc.btf.BtfExt}: func_info, line_info, CO-RE
 * relocations), writing BTF back for {@code BPF_BTF_LOAD} ({@link dev.jbcc.btf.Btf#marshal()},
 * {@link dev.jbcc.btf.BtfSanitizer} for older kernels) and as a C header
 * ({@link dev.jbcc.btf.BtfHeaderWriter}, a {@code vmlinux.h}). Kernel-independent except for
 * reading {@code /sys/kernel/btf}.
 */
package dev.jbcc.btf;
