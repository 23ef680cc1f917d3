package org.normkit.cli;

import java.util.List;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ChannelFirstInputs;
import org.normkit.core.ChannelFirstProvider;
import org.normkit.core.NormBase;
import org.normkit.core.RunningStats;
import org.normkit.core.kernel.Layout;

/**
 * A BatchNorm over (N, C) with a planted bug: its reference face multiplies the right output by 1.01, while its
 * fused face (the shared kernel) is right. Test-only; it joins the registry through {@link #module()}, the way any
 * application adds a part.
 */
final class PlantedBugNorm extends NormBase {
    static final String NAME = "planted_bug";

    PlantedBugNorm(NormSpec spec) {
        super(spec, Shape.of(spec.numFeatures()), Affine.WEIGHT_AND_BIAS, RunningStats.Policy.COUNTING);
    }

    @Override
    protected void checkInput(Shape input) {
        INPUTS.checkRank(input);
        input.requireSize(1, spec().numFeatures(), NAME, "channels (numFeatures)");
    }

    @Override
    protected Layout layout(Shape input) {
        return Layout.channels(input.dim(0), input.dim(1), 1);
    }

    @Override
    public Tensor reference(Tensor x, Statistics use) {
        int[] batch = {0};
        Tensor mean = use instanceof Statistics.Running r ? r.mean() : x.mean(batch, false);
        Tensor variance = use instanceof Statistics.Running r ? r.variance() : x.var(batch, false, false);
        Tensor y = x.sub(mean).mul(variance.add(spec().eps()).rsqrt()).mul(weight().get()).add(bias().get());
        return y.mul(1.01);   // the planted bug
    }

    private static final ChannelFirstInputs INPUTS = new ChannelFirstInputs(NAME, "(N, C)", new int[] {2},
            List.of(Shape.of(4, 3)), List.of(Shape.of(64, 16)));

    /** The registry entry. */
    static final class Provider extends ChannelFirstProvider {
        Provider() {
            super(INPUTS, "BatchNorm whose reference face is 1 % off (a test's planted bug)", NormSpec.of(1),
                    PlantedBugNorm::new);
        }
    }

    /** Adds the norm to the application's registry: one more MapBinder entry. */
    static AbstractModule module() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                MapBinder.newMapBinder(binder(), String.class, NormalizationProvider.class)
                        .addBinding(NAME).toInstance(new Provider());
            }
        };
    }
}
