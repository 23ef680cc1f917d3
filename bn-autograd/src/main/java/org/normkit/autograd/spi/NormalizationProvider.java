package org.normkit.autograd.spi;

/**
 * The one interface a researcher implements to add a normalization: found by {@link java.util.ServiceLoader}
 * through one line in {@code META-INF/services/org.normkit.autograd.spi.NormalizationProvider}; needs a public
 * zero-argument constructor. No Guice knowledge is needed.
 */
public interface NormalizationProvider {

    /** Stable id used everywhere (CLI, reports, conformance files): {@code batch_norm2d}, {@code group_norm}. */
    String name();

    /** One line, with the paper, for {@code normkit list} and reports. */
    String summary();

    /** The inputs this norm takes. */
    InputContract contract();

    /** A new layer; validates the spec with errors that name the field, the value and the fix. */
    Normalization create(NormSpec spec);
}
