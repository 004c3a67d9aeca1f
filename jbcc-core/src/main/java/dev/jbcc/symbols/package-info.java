/**
 * Addresses to names and names to files: {@link dev.jbcc.symbols.KernelSymbols} ({@code /proc/kallsyms}),
 * {@link dev.jbcc.symbols.UserSymbols} (a process's mappings and each mapped file's
 * {@link dev.jbcc.symbols.ElfSymbols}), {@link dev.jbcc.symbols.StackTraces} for
 * {@code BPF_MAP_TYPE_STACK_TRACE} entries, and the lookups uprobes need to find a binary:
 * {@link dev.jbcc.symbols.LdSoCache}, {@link dev.jbcc.symbols.ProcMaps}, {@link dev.jbcc.symbols.Libraries}.
 */
package dev.jbcc.symbols;
