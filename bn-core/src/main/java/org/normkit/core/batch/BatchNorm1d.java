package org.normkit.core.batch;

import org.normkit.autograd.spi.NormSpec;

/** {@link BatchNorm} over (N, C) or (N, C, L) inputs ({@code batch_norm1d}); everything else is documented there. */
public final class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(NormSpec spec) {
        super(spec, Dims.ONE_D);
    }
}
