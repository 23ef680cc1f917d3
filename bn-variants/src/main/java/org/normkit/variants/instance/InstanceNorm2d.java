package org.normkit.variants.instance;

import org.normkit.autograd.spi.NormSpec;

/** {@link InstanceNorm} over (N, C, H, W) inputs ({@code instance_norm2d}); everything else is documented there. */
public final class InstanceNorm2d extends InstanceNorm {
    public InstanceNorm2d(NormSpec spec) {
        super(spec, Dims.TWO_D);
    }
}
