package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.provider.Arguments;
import org.normkit.autograd.check.Comparison;
import org.normkit.autograd.check.Tolerance;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.FusedNorm.GradMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * What the kernel tests share: the cases (each layout with every centering and dtype, under batch and constant
 * statistics), the inputs of a layout (x, the output gradient, γ and β from fixed seeds), and the check of a forward
 * and backward against the formulas of {@link NormKernelTest.Oracle}.
 */
final class KernelCases {
    static final double EPS = 1e-5;

    /** Which statistics a case normalises with. */
    enum Use {
        BATCH("batch statistics"),
        CONSTANT("constant statistics");

        private final String label;

        Use(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private KernelCases() {}

    /** (layout, centering, dtype) for every layout, centering and dtype. */
    static Stream<Arguments> withEveryCenteringAndDtype(Layout... layouts) {
        List<Arguments> all = new ArrayList<>();
        for (Layout layout : layouts) {
            for (Centering centering : Centering.values()) {
                for (DType dtype : DType.values()) {
                    all.add(Arguments.of(layout, centering, dtype));
                }
            }
        }
        return all.stream();
    }

    /** (layout, centering, dtype, use) for every layout, centering, dtype and statistics in use. */
    static Stream<Arguments> withEveryCenteringDtypeAndUse(Layout... layouts) {
        return withEveryCenteringAndDtype(layouts).flatMap(a -> Stream.of(Use.values())
                .map(use -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], use)));
    }

    /** The input: standard normal × 2 + 0.5. */
    static Tensor input(Layout layout, DType dtype) {
        return Tensor.randn(dtype, Shape.of(layout.numel()), 11).mul(2.0).add(0.5);
    }

    static Tensor gradOutput(Layout layout, DType dtype) {
        return Tensor.randn(dtype, Shape.of(layout.numel()), 12);
    }

    /** γ in [0.5, 1.5). */
    static Tensor gamma(Layout layout, DType dtype) {
        return Tensor.uniform(dtype, Shape.of(layout.affineSize()), 0.5, 1.5, 13);
    }

    /** β in [−1, 1). */
    static Tensor beta(Layout layout, DType dtype) {
        return Tensor.uniform(dtype, Shape.of(layout.affineSize()), -1, 1, 14);
    }

    static void assertPasses(Comparison c) {
        assertTrue(c.passed(), c.describe());
    }

    /** The kernel's forward and backward on {@link #input} against the formulas: y, saved statistics, every gradient. */
    static void checkAgainstOracle(Layout layout, Centering centering, DType dtype, Use statistics) {
        boolean constant = statistics == Use.CONSTANT;
        Shape shape = Shape.of(layout.numel());
        Tensor x = input(layout, dtype);
        Tensor g = gradOutput(layout, dtype);
        Tensor gamma = gamma(layout, dtype);
        Tensor beta = beta(layout, dtype);
        int entries = layout instanceof Layout.Rows rows && rows.spatial() > 1 && rows.channelsPerGroup() == 1
                ? rows.groupsPerSample() : layout.sets();
        Tensor runningMean = Tensor.uniform(dtype, Shape.of(entries), -1, 1, 15);
        Tensor runningVar = Tensor.uniform(dtype, Shape.of(entries), 0.5, 2, 16);
        Statistics use = constant ? Statistics.running(runningMean, runningVar) : Statistics.batch();

        Tensor out = Tensor.zeros(dtype, shape);
        FusedNorm.Saved saved = NormKernel.forward(layout, centering, EPS, x, gamma, beta, use, out);
        FusedNorm.Gradients grads = NormKernel.backward(layout, centering, g, x, saved, gamma, GradMask.all());
        NormKernelTest.Oracle o = new NormKernelTest.Oracle(layout, centering, x.toDoubleArray(),
                gamma.toDoubleArray(), beta.toDoubleArray(), constant ? runningMean.toDoubleArray() : null,
                constant ? runningVar.toDoubleArray() : null, g.toDoubleArray());
        Tolerance tolerance = Tolerance.faces(dtype);
        assertPasses(Comparison.of("y", out, Tensor.wrap(o.y, shape), tolerance));
        assertPasses(Comparison.of("mean", saved.mean(), Tensor.wrap(o.mean, Shape.of(layout.sets())), tolerance));
        assertPasses(Comparison.of("rstd", saved.rstd(), Tensor.wrap(o.rstd, Shape.of(layout.sets())), tolerance));
        assertEquals(!constant, saved.fromBatch());
        assertPasses(Comparison.of("dx", grads.input(), Tensor.wrap(o.dx, shape), tolerance));
        assertPasses(Comparison.of("dgamma", grads.weight(), Tensor.wrap(o.dGamma, gamma.shape()), tolerance));
        assertPasses(Comparison.of("dbeta", grads.bias(), Tensor.wrap(o.dBeta, gamma.shape()), tolerance));
        assertEquals(dtype, grads.input().dtype());
        assertEquals(dtype, grads.weight().dtype());
    }
}
