package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.normkit.core.kernel.KernelCases.EPS;
import static org.normkit.core.kernel.KernelCases.assertPasses;
import static org.normkit.core.kernel.KernelCases.gamma;
import static org.normkit.core.kernel.KernelCases.input;

import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
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
 * Inputs large enough to be split into several blocks of work ({@link NormKernel#BLOCK_ELEMENTS} elements each), and
 * sizes at the edges of the moment pieces ({@link NormKernel#CHUNK}) and of the vector strips, against the formulas of
 * {@link NormKernelTest.Oracle}: every block must compute its own channels or rows, not the first block's again.
 * {@code NormKernelTest.Threads} compares thread counts on such inputs, which a wrong block boundary passes.
 */
class BlockedLayoutsTest {
    private static final Layout[] BLOCKED = {
        Layout.channels(16, 8, 1024),        // 4 blocks of 2 channels, several pieces of rows per channel
        Layout.channels(2, 2, 4096),         // a run of exactly two pieces: no empty third piece
        Layout.channels(4096, 32, 1),        // across channels, 4 blocks of 8 channels
        Layout.channels(64, 56, 1),          // across 56 channels: two-strip, one-strip and scalar columns
        Layout.channels(12, 3, 3000),        // channels larger than a block: streamed planes of two pieces
        Layout.channels(40, 2, 1000),        // streamed planes shorter than a piece, 3 blocks of planes
        Layout.rows(256, 512),               // 4 blocks of 64 rows, γ per element
        Layout.rows(3, 4096),                // rows of exactly two pieces
        Layout.rows(64 * 8, 256, 8, 4, 64),  // group: 8 groups of 4 channels, 4 blocks of rows
    };

    static Stream<Arguments> layouts() {
        return KernelCases.withEveryCenteringAndDtype(BLOCKED);
    }

    static Stream<Arguments> cases() {
        return KernelCases.withEveryCenteringDtypeAndUse(BLOCKED);
    }

    @Nested
    class EveryBlockMatchesTheFormulas {
        @ParameterizedTest(name = "{0} {1} {2} {3}")
        @MethodSource("org.normkit.core.kernel.BlockedLayoutsTest#cases")
        void forwardAndBackward(Layout layout, Centering centering, DType dtype, KernelCases.Use use) {
            KernelCases.checkAgainstOracle(layout, centering, dtype, use);
        }

        @ParameterizedTest(name = "{0} {1} {2}")
        @MethodSource("org.normkit.core.kernel.BlockedLayoutsTest#layouts")
        void theMomentsOnTheirOwn(Layout layout, Centering centering, DType dtype) {
            Tensor x = input(layout, dtype);
            Moments moments = NormKernel.moments(layout, centering, x);
            NormKernelTest.Oracle o = oracle(layout, centering, x, null);
            Tolerance tolerance = Tolerance.faces(dtype);
            double[] variance = new double[layout.sets()];
            for (int s = 0; s < variance.length; s++) {
                variance[s] = 1 / (o.rstd[s] * o.rstd[s]) - EPS;
            }
            Shape sets = Shape.of(layout.sets());
            assertPasses(Comparison.of("mean", Tensor.wrap(moments.mean(), sets), Tensor.wrap(o.mean, sets),
                    tolerance));
            assertPasses(Comparison.of("variance", Tensor.wrap(moments.variance(), sets), Tensor.wrap(variance, sets),
                    tolerance));
        }
    }

    /**
     * The backward asked for dx alone (γ, β constant): the row sums then run without the affine partials, a loop of
     * their own in each dtype and in both the vector and the scalar loops.
     */
    @Nested
    class TheInputGradientAlone {
        private final boolean vectorApi = Elements.VECTOR_API;

        @AfterEach
        void restoreTheJvmsChoice() {
            Elements.VECTOR_API = vectorApi;
        }

        @ParameterizedTest(name = "{0} {1} {2} vector loops")
        @MethodSource("org.normkit.core.kernel.BlockedLayoutsTest#smallAndLargeLayouts")
        void matchesTheFormulasInTheVectorLoops(Layout layout, Centering centering, DType dtype) {
            checkInputGradientAlone(layout, centering, dtype);
        }

        @ParameterizedTest(name = "{0} {1} {2} scalar loops")
        @MethodSource("org.normkit.core.kernel.BlockedLayoutsTest#smallAndLargeLayouts")
        void matchesTheFormulasInTheScalarLoops(Layout layout, Centering centering, DType dtype) {
            Elements.VECTOR_API = false;
            checkInputGradientAlone(layout, centering, dtype);
        }
    }

    /**
     * Float32 values a million away from zero with a spread of 1: each piece's sums run around a shift taken from
     * the piece, so the variance keeps its digits; sums around 0 would lose several percent of it to cancellation.
     */
    @Nested
    class Float32FarFromZero {
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.core.kernel.BlockedLayoutsTest#farFromZeroLayouts")
        void theMomentsKeepTheirDigits(Layout layout) {
            Shape shape = Shape.of(layout.numel());
            Tensor x = Tensor.randn(DType.FLOAT32, shape, 5).add(1e6);
            Moments moments = NormKernel.moments(layout, Centering.CENTERED, x);
            double[] values = x.toDoubleArray();
            double[] mean = new double[layout.sets()];
            double[] variance = new double[layout.sets()];
            for (int i = 0; i < values.length; i++) {
                mean[layout.setOf(i)] += values[i] / layout.setSize();
            }
            for (int i = 0; i < values.length; i++) {
                double d = values[i] - mean[layout.setOf(i)];
                variance[layout.setOf(i)] += d * d / layout.setSize();
            }
            Shape sets = Shape.of(layout.sets());
            Tolerance close = new Tolerance(1e-9, 1e-6);
            assertPasses(Comparison.of("mean", Tensor.wrap(moments.mean(), sets), Tensor.wrap(mean, sets), close));
            assertPasses(Comparison.of("variance", Tensor.wrap(moments.variance(), sets), Tensor.wrap(variance, sets),
                    close));
        }
    }

    static Stream<Layout> farFromZeroLayouts() {
        return Stream.of(Layout.rows(4, 4096), Layout.channels(8, 2, 1024), Layout.channels(2048, 2, 1),
                Layout.channels(2, 2, 4096), Layout.channels(12, 3, 3000), Layout.channels(40, 2, 1000));
    }

    static Stream<Arguments> smallAndLargeLayouts() {
        return KernelCases.withEveryCenteringAndDtype(Layout.rows(6, 10), Layout.rows(5, 37), Layout.rows(256, 512),
                Layout.channels(3, 4, 5), Layout.channels(7, 5, 1), Layout.rows(2 * 2, 3 * 4, 2, 3, 4));
    }

    private static void checkInputGradientAlone(Layout layout, Centering centering, DType dtype) {
        Shape shape = Shape.of(layout.numel());
        Tensor x = input(layout, dtype);
        Tensor g = KernelCases.gradOutput(layout, dtype);
        Tensor gamma = gamma(layout, dtype);
        Tensor beta = KernelCases.beta(layout, dtype);
        FusedNorm.Saved saved = NormKernel.forward(layout, centering, EPS, x, gamma, beta, Statistics.batch(),
                Tensor.zeros(dtype, shape));
        FusedNorm.Gradients grads = NormKernel.backward(layout, centering, g, x, saved, gamma,
                new GradMask(true, false, false));
        assertNull(grads.weight());
        assertNull(grads.bias());
        NormKernelTest.Oracle o = oracle(layout, centering, x, g);
        assertPasses(Comparison.of("dx", grads.input(), Tensor.wrap(o.dx, shape), Tolerance.faces(dtype)));
    }

    /** The formulas with batch statistics, γ of {@link KernelCases#gamma}, β 0 and g (zeros when null). */
    private static NormKernelTest.Oracle oracle(Layout layout, Centering centering, Tensor x, Tensor g) {
        double[] gradient = g == null ? new double[layout.numel()] : g.toDoubleArray();
        return new NormKernelTest.Oracle(layout, centering, x.toDoubleArray(),
                gamma(layout, x.dtype()).toDoubleArray(), new double[layout.affineSize()], null, null, gradient);
    }
}
