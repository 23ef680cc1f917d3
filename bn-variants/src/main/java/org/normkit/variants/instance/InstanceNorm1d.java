package org.normkit.variants.instance;

import org.normkit.autograd.spi.NormSpec;

/** {@link InstanceNorm} over (N, C, L) inputs ({@code instance_norm1d}); everything else is documented there. */
public final class InstanceNorm1d extends InstanceNorm {
    public InstanceNorm1d(NormSpec spec) {
        super(spec, Dims.ONE_D);
    }
}
