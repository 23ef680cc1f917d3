package org.normkit.core.batch;

import java.util.function.Function;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.core.ChannelFirstProvider;

/**
 * The registry entries of {@link BatchNorm}, one subclass per accepted rank set ({@code batch_norm},
 * {@code batch_norm1d}, {@code batch_norm2d}, {@code batch_norm3d}).
 */
public abstract class BatchNormProvider extends ChannelFirstProvider {

    protected BatchNormProvider(BatchNorm.Dims dims, Function<NormSpec, Normalization> factory) {
        super(dims.inputs(), "Batch normalization over " + dims.inputs().layouts() + ": per-channel statistics over "
                + "the batch and spatial positions, running averages for evaluation (Ioffe & Szegedy 2015)",
                NormSpec.of(1), factory);
    }
}
