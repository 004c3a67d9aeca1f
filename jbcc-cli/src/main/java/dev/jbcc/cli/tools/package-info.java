/**
 * bcc-style tools as {@code jbcc} subcommands, one class each (e.g.
 * {@link dev.jbcc.cli.tools.OpensnoopCommand}): options, the BPF program, the output lines.
 *
 * <p>Uses jbcc-core (and jbcc-bcc where a tool is written in bcc's dialect); nothing uses it.
 */
package dev.jbcc.cli.tools;
