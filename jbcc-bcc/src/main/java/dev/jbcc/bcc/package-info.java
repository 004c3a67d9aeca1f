/**
 * bcc's Python API in Java: {@link dev.jbcc.bcc.BPF} compiles a bcc program (through
 * {@code dev.jbcc.bcc.dialect}), loads it, attaches its probes and closes everything;
 * the table classes ({@link dev.jbcc.bcc.Table} and its subclasses) mirror bcc's
 * {@code table.py}; {@link dev.jbcc.bcc.USDT}, {@link dev.jbcc.bcc.IpRoute} and the perf and ring
 * buffer readers complete the set.
 *
 * <p>A front-end: uses jbcc-core's public API (and the object model); the library never uses it.
 */
package dev.jbcc.bcc;
