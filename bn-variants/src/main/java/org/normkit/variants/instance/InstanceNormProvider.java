package org.normkit.variants.instance;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;

/**
 * The registry entries of {@link InstanceNorm}, one subclass per accepted rank set ({@code instance_norm},
 * {@code instance_norm1d}, {@code instance_norm2d}, {@code instance_norm3d}); each is one line in
 * {@code META-INF/services/org.normkit.autograd.spi.NormalizationProvider}, exactly as a plugin registers.
 */
public abstract class InstanceNormProvider implements NormalizationProvider {
    private final InstanceNorm.Dims dims;
    private final InputContract contract;

    protected InstanceNormProvider(InstanceNorm.Dims dims) {
        this.dims = dims;
        this.contract = dims.inputs().contract(InstanceNorm.defaultSpec(1));
    }

    @Override
    public final String name() {
        return dims.inputs().registeredName();
    }

    @Override
    public final String summary() {
        return "Instance normalization over " + dims.inputs().layouts() + ": per-sample, per-channel statistics over the "
                + "spatial positions, optional affine and running averages (Ulyanov, Vedaldi & Lempitsky 2016)";
    }

    @Override
    public final InputContract contract() {
        return contract;
    }

    @Override
    public final Normalization create(NormSpec spec) {
        switch (dims) {
            case ONE_D: return new InstanceNorm1d(spec);
            case TWO_D: return new InstanceNorm2d(spec);
            case THREE_D: return new InstanceNorm3d(spec);
            default: return new InstanceNorm(spec);
        }
    }
}
