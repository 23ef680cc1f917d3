package org.normkit.cli;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;

import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.kernel.Layout;

/**
 * A BatchNorm over (N, C) with a planted bug: its reference face multiplies the right output by 1.01, while its
 * fused face (the shared kernel) is right. Test-only; it joins the registry through {@link #module()}, the way any
 * application adds a part.
 */
final class PlantedBugNorm extends Norm {
    static final String NAME = "planted_bug";

    PlantedBugNorm() {
        super(NAME, "BatchNorm whose reference face is 1 % off (a test's planted bug)",
                ContractPreset.channelFirst(2).withExampleShapes(Shape.of(4, 3)).withBenchmarkShapes(Shape.of(64, 16)));
    }

    @Override
    public RunningStatsPolicy runningStats() {
        return RunningStatsPolicy.pytorch();
    }

    @Override
    public Layout layout(NormLayer layer, Shape input) {
        return Layout.channels(input.dim(0), input.dim(1), 1);
    }

    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        int[] batch = {0};
        Tensor mean = use instanceof Statistics.Running r ? r.mean() : x.mean(batch, false);
        Tensor variance = use instanceof Statistics.Running r ? r.variance() : x.var(batch, false, false);
        Tensor y = x.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt()).mul(layer.weight().get())
                .add(layer.bias().get());
        return y.mul(1.01);   // the planted bug
    }

    /** Adds the norm to the application's registry: one more MapBinder entry. */
    static AbstractModule module() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                MapBinder.newMapBinder(binder(), String.class, NormalizationProvider.class)
                        .addBinding(NAME).toInstance(new PlantedBugNorm());
            }
        };
    }
}
