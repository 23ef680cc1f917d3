package org.normkit.core.batch;

import org.normkit.autograd.spi.NormSpec;

/** {@link BatchNorm} over (N, C, D, H, W) inputs ({@code batch_norm3d}); everything else is documented there. */
public final class BatchNorm3d extends BatchNorm {
    public BatchNorm3d(NormSpec spec) {
        super(spec, Dims.THREE_D);
    }
}
