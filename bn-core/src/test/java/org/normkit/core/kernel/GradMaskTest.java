package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.check.Comparison;
import org.normkit.autograd.check.Tolerance;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.FusedNorm.GradMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The backward asked for one gradient at a time (each alone must still be right, whatever the others' sums the
 * kernel skips), with batch and constant statistics, against {@link NormKernelTest.Oracle}; and the inputs the
 * backward converts: an output gradient of another dtype than x, saved statistics in float32.
 */
class GradMaskTest {
    private static final double EPS = 1e-5;

    static Stream<Arguments> cases() {
        Layout[] layouts = {Layout.rows(6, 10), Layout.rows(2 * 3, 7, 3, 1, 7), Layout.channels(3, 4, 5),
            Layout.channels(7, 5, 1)};
        GradMask[] masks = {new GradMask(true, false, false), new GradMask(false, true, false),
            new GradMask(false, false, true)};
        List<Arguments> all = new ArrayList<>();
        for (Layout layout : layouts) {
            for (GradMask mask : masks) {
                for (boolean constant : new boolean[] {false, true}) {
                    for (DType dtype : DType.values()) {
                        all.add(Arguments.of(layout, mask, constant, dtype));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} constant statistics {2} {3}")
    @MethodSource("cases")
    void eachGradientAskedForAloneMatchesTheFormulasAndTheOthersAreNull(Layout layout, GradMask mask,
                                                                          boolean constant, DType dtype) {
        Run run = new Run(layout, dtype, constant);
        FusedNorm.Gradients grads = NormKernel.backward(layout, Centering.CENTERED, run.g, run.x, run.saved,
                run.gamma, mask);
        NormKernelTest.Oracle o = run.oracle();
        Tolerance tolerance = Tolerance.faces(dtype);
        Shape shape = run.x.shape();
        if (mask.input()) {
            assertPasses(Comparison.of("dx", grads.input(), Tensor.wrap(o.dx, shape), tolerance));
        } else {
            assertNull(grads.input());
        }
        if (mask.weight()) {
            assertPasses(Comparison.of("dγ", grads.weight(), Tensor.wrap(o.dGamma, run.gamma.shape()), tolerance));
        } else {
            assertNull(grads.weight());
        }
        if (mask.bias()) {
            assertPasses(Comparison.of("dβ", grads.bias(), Tensor.wrap(o.dBeta, run.gamma.shape()), tolerance));
        } else {
            assertNull(grads.bias());
        }
    }

    @Test
    void anOutputGradientOfAnotherDtypeIsConvertedToTheInputs() {
        for (Layout layout : new Layout[] {Layout.rows(6, 10), Layout.channels(3, 4, 5)}) {
            Run run = new Run(layout, DType.FLOAT64, false);
            FusedNorm.Gradients grads = NormKernel.backward(layout, Centering.CENTERED, run.g.to(DType.FLOAT32),
                    run.x, run.saved, run.gamma, GradMask.all());
            NormKernelTest.Oracle o = new NormKernelTest.Oracle(layout, Centering.CENTERED, run.x.toDoubleArray(),
                    run.gamma.toDoubleArray(), run.beta.toDoubleArray(), null, null,
                    run.g.to(DType.FLOAT32).toDoubleArray());
            assertTrue(grads.input().dtype() == DType.FLOAT64);
            assertPasses(Comparison.of("dx", grads.input(), Tensor.wrap(o.dx, run.x.shape()),
                    Tolerance.faces(DType.FLOAT64)));
        }
    }

    @Test
    void savedStatisticsInFloat32AreReadAsWell() {
        for (Layout layout : new Layout[] {Layout.rows(6, 10), Layout.channels(3, 4, 5)}) {
            Run run = new Run(layout, DType.FLOAT32, false);
            FusedNorm.Saved float32 = new FusedNorm.Saved(run.saved.mean().to(DType.FLOAT32),
                    run.saved.rstd().to(DType.FLOAT32), true);
            FusedNorm.Gradients expected = NormKernel.backward(layout, Centering.CENTERED, run.g, run.x, run.saved,
                    run.gamma, GradMask.all());
            FusedNorm.Gradients actual = NormKernel.backward(layout, Centering.CENTERED, run.g, run.x, float32,
                    run.gamma, GradMask.all());
            Tolerance tolerance = Tolerance.faces(DType.FLOAT32);
            assertPasses(Comparison.of("dx", actual.input(), expected.input(), tolerance));
            assertPasses(Comparison.of("dγ", actual.weight(), expected.weight(), tolerance));
        }
    }

    /** One forward pass of a layout on fixed random data, and what the backward needs. */
    private static final class Run {
        final Layout layout;
        final boolean constant;
        final Tensor x;
        final Tensor g;
        final Tensor gamma;
        final Tensor beta;
        final Tensor runningMean;
        final Tensor runningVar;
        final FusedNorm.Saved saved;

        Run(Layout layout, DType dtype, boolean constant) {
            this.layout = layout;
            this.constant = constant;
            Shape shape = Shape.of(layout.numel());
            x = Tensor.randn(dtype, shape, 21).mul(2.0).add(0.5);
            g = Tensor.randn(dtype, shape, 22);
            gamma = Tensor.uniform(dtype, Shape.of(layout.affineSize()), 0.5, 1.5, 23);
            beta = Tensor.uniform(dtype, Shape.of(layout.affineSize()), -1, 1, 24);
            runningMean = Tensor.uniform(dtype, Shape.of(layout.sets()), -1, 1, 25);
            runningVar = Tensor.uniform(dtype, Shape.of(layout.sets()), 0.5, 2, 26);
            Statistics use = constant ? Statistics.running(runningMean, runningVar) : Statistics.batch();
            saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma, beta, use, Tensor.zeros(dtype,
                    shape));
        }

        NormKernelTest.Oracle oracle() {
            return new NormKernelTest.Oracle(layout, Centering.CENTERED, x.toDoubleArray(), gamma.toDoubleArray(),
                    beta.toDoubleArray(), constant ? runningMean.toDoubleArray() : null,
                    constant ? runningVar.toDoubleArray() : null, g.toDoubleArray());
        }
    }

    private static void assertPasses(Comparison c) {
        assertTrue(c.passed(), c.describe());
    }
}
