/**
 * Every error jbcc raises: the sealed {@link dev.jbcc.errors.BpfException} hierarchy (a failed
 * system call with its errno, a verifier rejection with its log, a feature the kernel lacks with
 * its first version, malformed input, a failed compile, a missing name, an inapplicable CO-RE
 * relocation, a failed pin), {@link dev.jbcc.errors.Errno}'s names for errno values, and
 * {@link dev.jbcc.errors.AlreadyClosedException}. Callers switch over the sealed set.
 *
 * <p>The lowest layer: values only, it uses nothing else of jbcc, so every layer above may throw
 * these.
 */
package dev.jbcc.errors;
