package org.normkit.core.batch;

import org.normkit.autograd.spi.NormSpec;

/** {@link BatchNorm} over (N, C, H, W) inputs ({@code batch_norm2d}); everything else is documented there. */
public final class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(NormSpec spec) {
        super(spec, Dims.TWO_D);
    }
}
