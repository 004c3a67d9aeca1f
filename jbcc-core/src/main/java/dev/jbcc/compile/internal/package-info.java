/**
 * What the C compile path keeps on disk and runs, shared with the bcc front-end through a
 * qualified export ({@code dev.jbcc.bcc} only): the private compile cache
 * ({@link dev.jbcc.compile.internal.CompileCache}: 0700 directories, atomic writes, temporaries
 * pruned when old) and the process runner ({@link dev.jbcc.compile.internal.ProcessRunner}:
 * output to files, exact timeouts). Uses only the JDK and jbcc's exceptions; not an API.
 */
package dev.jbcc.compile.internal;
