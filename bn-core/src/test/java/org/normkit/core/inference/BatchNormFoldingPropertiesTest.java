package org.normkit.core.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.core.inference.FoldingNets.assertAgree;
import static org.normkit.core.inference.FoldingNets.input;
import static org.normkit.core.inference.FoldingNets.relativeError;
import static org.normkit.core.inference.FoldingNets.trained;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.normkit.autograd.nn.Conv2d;
import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.ReLU;
import org.normkit.autograd.nn.Sequential;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

/**
 * Folding is exact up to rounding, over random layer sizes, kernels, strides, paddings, eps, statistics and weights,
 * with and without bias and affine: float64 outputs agree to 1e-10 of the output's scale.
 */
class BatchNormFoldingPropertiesTest {
    private static final double TOLERANCE = 1e-10;

    private static NormSpec spec(int features, boolean affine, double eps) {
        return NormSpec.of(features).withDtype(DType.FLOAT64).withAffine(affine).withEps(eps);
    }

    @Property(tries = 60)
    void aLinearAndItsBatchNormFoldToTheSameOutputs(@ForAll @IntRange(min = 1, max = 6) int batch,
                                                     @ForAll @IntRange(min = 1, max = 9) int in,
                                                     @ForAll @IntRange(min = 1, max = 9) int out,
                                                     @ForAll boolean bias, @ForAll boolean affine,
                                                     @ForAll boolean anyRank, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        NormSpec spec = spec(out, affine, random.nextDouble(1e-6, 1e-1));
        NormLayer norm = trained(anyRank ? new BatchNorm().create(spec) : new BatchNorm().create("batch_norm1d", spec), random);
        Sequential net = new Sequential(new Linear(in, out, bias, DType.FLOAT64, random), norm);
        net.eval();
        Tensor x = input(DType.FLOAT64, random, batch, in);

        Module folded = BatchNormFolding.fold(net);

        assertAgree(folded.forward(x), net.forward(x), TOLERANCE);
        assertEquals(1, ((Sequential) folded).size());
    }

    @Property(tries = 40)
    void aConv2dAndItsBatchNormFoldToTheSameOutputs(@ForAll @IntRange(min = 1, max = 3) int batch,
                                                     @ForAll @IntRange(min = 1, max = 4) int in,
                                                     @ForAll @IntRange(min = 1, max = 5) int out,
                                                     @ForAll @IntRange(min = 1, max = 3) int kernel,
                                                     @ForAll @IntRange(min = 1, max = 2) int stride,
                                                     @ForAll @IntRange(min = 0, max = 1) int padding,
                                                     @ForAll @IntRange(min = 3, max = 7) int size,
                                                     @ForAll boolean bias, @ForAll boolean affine,
                                                     @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        NormSpec spec = spec(out, affine, random.nextDouble(1e-6, 1e-1));
        Sequential net = new Sequential(new Conv2d(in, out, kernel, stride, padding, bias, DType.FLOAT64, random),
                trained(new BatchNorm().create("batch_norm2d", spec), random), new ReLU());
        net.eval();
        Tensor x = input(DType.FLOAT64, random, batch, in, size, size);

        Module folded = BatchNormFolding.fold(net);

        assertAgree(folded.forward(x), net.forward(x), TOLERANCE);
        assertEquals(2, ((Sequential) folded).size());
    }

    @Property(tries = 30)
    void normsInNestedSequentialsFoldAndTheOriginalStaysAsItWas(@ForAll @IntRange(min = 1, max = 5) int hidden,
                                                                 @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Sequential block = new Sequential(new Linear(4, hidden, true, DType.FLOAT64, random),
                trained(new BatchNorm().create("batch_norm1d", spec(hidden, true, 1e-5)), random), new ReLU(),
                new Linear(hidden, 3, false, DType.FLOAT64, random));
        // The second norm follows the nested block, so it folds into the block's last layer.
        Sequential net = new Sequential(block, trained(new BatchNorm().create("batch_norm1d", spec(3, false, 1e-3)), random), new ReLU());
        net.eval();
        Tensor x = input(DType.FLOAT64, random, 5, 4);
        Tensor before = net.forward(x);
        var state = FoldingNets.snapshot(net);

        Module folded = BatchNormFolding.fold(net);

        assertAgree(folded.forward(x), before, TOLERANCE);
        assertFalse(folded.stateDict().keySet().stream().anyMatch(k -> k.contains("running")),
                folded.stateDict().keySet().toString());
        state.forEach((name, value) -> assertEquals(0.0, relativeError(net.stateDict().get(name), value), name));
        assertEquals(0.0, relativeError(net.forward(x), before));
        assertTrue(net.get(1) instanceof NormLayer);
    }
}
