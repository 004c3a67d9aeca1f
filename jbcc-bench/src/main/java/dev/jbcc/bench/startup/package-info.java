/**
 * Start-up and compile-time figures (sections 40-startup and 50-compile of {@code scripts/bench}):
 * helpers the section scripts run in child JVMs, so that each measurement starts from a fresh
 * process and, where asked, from an empty compile cache.
 */
package dev.jbcc.bench.startup;
