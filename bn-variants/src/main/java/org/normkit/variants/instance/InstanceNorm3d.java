package org.normkit.variants.instance;

import org.normkit.autograd.spi.NormSpec;

/** {@link InstanceNorm} over (N, C, D, H, W) inputs ({@code instance_norm3d}); everything else is documented there. */
public final class InstanceNorm3d extends InstanceNorm {
    public InstanceNorm3d(NormSpec spec) {
        super(spec, Dims.THREE_D);
    }
}
