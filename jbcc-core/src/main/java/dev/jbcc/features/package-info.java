/**
 * What the running kernel offers: {@link dev.jbcc.features.Features} probes map types, program
 * types, helpers and attach kinds once each (memoized), and names the first kernel version that
 * has a feature in the {@code UnsupportedFeatureException} it throws.
 *
 * <p>Uses the object model (the kinds it probes) and {@code internal.sys} (the probes are system
 * calls); kernel objects and attach kinds ask it before they load or attach.
 */
package dev.jbcc.features;
