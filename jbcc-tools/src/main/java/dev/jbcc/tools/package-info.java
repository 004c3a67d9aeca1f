/**
 * bcc's tool collection on jbcc, and the kit the tools share.
 *
 * <p>A tool is one small class (a {@link dev.jbcc.tools.Tool} with bcc's options as picocli
 * annotations) plus its BPF C in bcc's dialect, a resource beside the class. Everything tools have
 * in common lives here once: the options every tool has ({@code --json}, {@code --verbose}),
 * {@link dev.jbcc.tools.Session} (output as columns or JSON, interval loops, histograms, stopping on
 * Ctrl-C), {@link dev.jbcc.tools.Hook} (picking kprobe, fentry or a tracepoint, whichever the
 * kernel has), the {@link dev.jbcc.tools.Tools registry} behind {@code jbcc tools}, and
 * {@link dev.jbcc.tools.ToolRun}, which runs a tool inside the calling JVM.
 *
 * <p>The tools themselves are grouped in packages as {@code jbcc tools} lists them:
 * {@code process}, {@code files}, {@code block}, {@code cpu}, {@code net}, {@code tracing},
 * {@code memory}.
 */
package dev.jbcc.tools;
