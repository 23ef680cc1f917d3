package org.normkit.core.batch;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;

/**
 * The registry entries of {@link BatchNorm}, one subclass per accepted rank set ({@code batch_norm},
 * {@code batch_norm1d}, {@code batch_norm2d}, {@code batch_norm3d}); each is one line in
 * {@code META-INF/services/org.normkit.autograd.spi.NormalizationProvider}, exactly as a plugin registers.
 */
public abstract class BatchNormProvider implements NormalizationProvider {
    private final BatchNorm.Dims dims;
    private final InputContract contract;

    protected BatchNormProvider(BatchNorm.Dims dims) {
        this.dims = dims;
        this.contract = dims.inputs().contract(NormSpec.of(1));
    }

    @Override
    public final String name() {
        return dims.inputs().registeredName();
    }

    @Override
    public final String summary() {
        return "Batch normalization over " + dims.inputs().layouts() + ": per-channel statistics over the batch and "
                + "spatial positions, running averages for evaluation (Ioffe & Szegedy 2015)";
    }

    @Override
    public final InputContract contract() {
        return contract;
    }

    @Override
    public final Normalization create(NormSpec spec) {
        switch (dims) {
            case ONE_D: return new BatchNorm1d(spec);
            case TWO_D: return new BatchNorm2d(spec);
            case THREE_D: return new BatchNorm3d(spec);
            default: return new BatchNorm(spec);
        }
    }
}
