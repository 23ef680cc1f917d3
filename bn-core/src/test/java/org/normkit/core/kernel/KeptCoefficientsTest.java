package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * What a fused face keeps from call to call — γ and β in the kernels' form ({@link AffineCopies}) and the per-set
 * working arrays of its thread ({@link KernelScratch}) — never shows in its results: each call of one kernel gives
 * exactly the bits of the static kernel (which converts γ and β afresh) on the same arguments, when γ and β change
 * in place between calls (as an optimizer step changes them), when they are absent, and when calls over different
 * shapes leave the working arrays longer and full of other values.
 */
class KeptCoefficientsTest {
    private static final double EPS = 1e-5;

    static Stream<Arguments> layouts() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : DType.values()) {
            b.add(Arguments.of("batch (N, C)", Shape.of(6, 37), Shape.of(3, 45), 37, dtype));
            b.add(Arguments.of("batch (N, C, S)", Shape.of(3, 5, 41), Shape.of(2, 9, 7), 5, dtype));
            b.add(Arguments.of("layer", Shape.of(7, 53), Shape.of(4, 61), 53, dtype));
        }
        return b.build();
    }

    private static Layout layoutOf(Shape shape) {
        // The layer cases have rows of 53 and 61; the (N, C) cases 37 and 45 channels.
        if (shape.rank() == 2 && shape.dim(1) > 50) {
            return Layout.rows(shape.dim(0), shape.dim(1));
        }
        return Layout.channels(shape.dim(0), shape.dim(1), shape.rank() == 3 ? shape.dim(2) : 1);
    }

    @ParameterizedTest(name = "{0} {4}")
    @MethodSource("layouts")
    void everyCallGivesTheBitsOfTheStatelessKernel(String norm, Shape shape, Shape other, int affine, DType dtype) {
        NormKernel kernel = NormKernel.of(Centering.CENTERED, EPS, KeptCoefficientsTest::layoutOf);
        Random random = new Random(41);
        Tensor gamma = random(dtype, Shape.of(affine), random);
        Tensor beta = random(dtype, Shape.of(affine), random);
        for (int step = 0; step < 3; step++) {
            sameAsStateless(kernel, shape, gamma, beta, dtype, random, norm + ", step " + step);
            // An optimizer step: γ and β change in place, in one element and then in all.
            gamma.set(step % affine, gamma.get(step % affine) + 0.25);
            beta.set((step * 7) % affine, -beta.get((step * 7) % affine));
            sameAsStateless(kernel, shape, gamma, beta, dtype, random, norm + ", after one element changed");
            gamma.copyFrom(random(dtype, Shape.of(affine), random));
            beta.copyFrom(random(dtype, Shape.of(affine), random));
            // Another shape with other sets leaves the working arrays longer and full of its values.
            Tensor gammaOther = random(dtype, Shape.of(other.dim(1)), random);
            sameAsStateless(kernel, other, gammaOther, null, dtype, random, norm + ", another shape");
            sameAsStateless(kernel, shape, null, null, dtype, random, norm + ", without γ and β");
        }
    }

    private static void sameAsStateless(NormKernel kernel, Shape shape, Tensor gamma, Tensor beta, DType dtype,
                                        Random random, String what) {
        Layout layout = layoutOf(shape);
        Tensor x = random(dtype, shape, random).mul(3.0).add(1.5);
        Tensor g = random(dtype, shape, random);
        int sets = layout.sets();
        // Running statistics of the other dtype, and fewer entries than sets where the layout allows tiling.
        DType other = dtype == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
        Statistics running = Statistics.running(random(other, Shape.of(sets), random),
                random(other, Shape.of(sets), random).mul(0.1).add(1.0));
        FusedNorm.GradMask all = new FusedNorm.GradMask(true, gamma != null, beta != null);
        for (Statistics use : new Statistics[] {Statistics.batch(), running}) {
            Tensor kept = Tensor.zeros(dtype, shape);
            Tensor stateless = Tensor.zeros(dtype, shape);
            FusedNorm.Saved keptSaved = kernel.forward(x, gamma, beta, use, kept);
            FusedNorm.Saved statelessSaved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma, beta, use,
                    stateless);
            assertArrayEquals(stateless.toDoubleArray(), kept.toDoubleArray(), 0.0, what + ": y");
            assertArrayEquals(statelessSaved.mean().toDoubleArray(), keptSaved.mean().toDoubleArray(), 0.0,
                    what + ": mean");
            assertArrayEquals(statelessSaved.rstd().toDoubleArray(), keptSaved.rstd().toDoubleArray(), 0.0,
                    what + ": rstd");
            FusedNorm.Gradients keptGrads = kernel.backward(g, x, keptSaved, gamma, all);
            FusedNorm.Gradients statelessGrads = NormKernel.backward(layout, Centering.CENTERED, g, x,
                    statelessSaved, gamma, all);
            assertArrayEquals(statelessGrads.input().toDoubleArray(), keptGrads.input().toDoubleArray(), 0.0,
                    what + ": dx");
            if (gamma != null) {
                assertArrayEquals(statelessGrads.weight().toDoubleArray(), keptGrads.weight().toDoubleArray(), 0.0,
                        what + ": dγ");
            }
            if (beta != null) {
                assertArrayEquals(statelessGrads.bias().toDoubleArray(), keptGrads.bias().toDoubleArray(), 0.0,
                        what + ": dβ");
            }
        }
    }

    private static Tensor random(DType dtype, Shape shape, Random random) {
        double[] v = new double[shape.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        return Tensor.of(dtype, v, shape);
    }
}
