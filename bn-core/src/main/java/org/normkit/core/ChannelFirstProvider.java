package org.normkit.core;

import java.util.function.Function;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;

/**
 * A registry entry for a norm over {@code (N, C, *)} inputs: name and contract from its {@link ChannelFirstInputs},
 * a summary, and the constructor of the layer. BatchNorm's and InstanceNorm's 1d/2d/3d/any-rank providers are
 * one-line subclasses, each one line in {@code META-INF/services}, exactly as a plugin registers.
 */
public abstract class ChannelFirstProvider implements NormalizationProvider {
    private final ChannelFirstInputs inputs;
    private final String summary;
    private final InputContract contract;
    private final Function<NormSpec, Normalization> factory;

    /**
     * @param defaults the family's PyTorch defaults, used when a generic tool builds a spec from options alone
     * @param factory  the layer's constructor
     */
    protected ChannelFirstProvider(ChannelFirstInputs inputs, String summary, NormSpec defaults,
                                   Function<NormSpec, Normalization> factory) {
        this.inputs = inputs;
        this.summary = summary;
        this.contract = inputs.contract(defaults);
        this.factory = factory;
    }

    @Override
    public final String name() {
        return inputs.registeredName();
    }

    @Override
    public final String summary() {
        return summary;
    }

    @Override
    public final InputContract contract() {
        return contract;
    }

    @Override
    public final Normalization create(NormSpec spec) {
        return factory.apply(spec);
    }
}
