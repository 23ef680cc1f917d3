package org.normkit.variants.instance;

import java.util.function.Function;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.core.ChannelFirstProvider;

/**
 * The registry entries of {@link InstanceNorm}, one subclass per accepted rank set ({@code instance_norm},
 * {@code instance_norm1d}, {@code instance_norm2d}, {@code instance_norm3d}). A spec built from options alone has
 * PyTorch's InstanceNorm defaults ({@link InstanceNorm#defaultSpec}: no affine, no running statistics).
 */
public abstract class InstanceNormProvider extends ChannelFirstProvider {

    protected InstanceNormProvider(InstanceNorm.Dims dims, Function<NormSpec, Normalization> factory) {
        super(dims.inputs(), "Instance normalization over " + dims.inputs().layouts() + ": per-sample, per-channel "
                + "statistics over the spatial positions, optional affine and running averages (Ulyanov, Vedaldi & "
                + "Lempitsky 2016)", InstanceNorm.defaultSpec(1), factory);
    }
}
