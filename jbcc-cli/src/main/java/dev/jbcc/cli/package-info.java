/**
 * The {@code jbcc} command (picocli): {@link dev.jbcc.cli.Main} dispatches {@code version},
 * {@code btf dump}, {@code compile}, {@code run} and the tools. The only place that prints for the
 * user; the libraries below it report through exceptions and {@code System.Logger}.
 *
 * <p>Uses jbcc-bcc and jbcc-core; nothing uses it.
 */
package dev.jbcc.cli;
