package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * What the kernel family refuses before touching memory, with the message that names the problem, and the moments
 * it computes on its own (the running-statistics update reads them).
 */
class KernelContractTest {
    private static final Layout TWO_BY_THREE = Layout.channels(2, 3, 1);
    private static final Tensor X = Tensor.of(DType.FLOAT64, new double[] {1, 2, 3, 5, 8, 13}, Shape.of(2, 3));

    @Nested
    class RefusedArguments {
        @ParameterizedTest
        @ValueSource(doubles = {0.0, -1e-5, Double.NaN, Double.POSITIVE_INFINITY})
        void epsMustBeAFinitePositiveNumber(double eps) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormKernel.of(Centering.CENTERED, eps, shape -> TWO_BY_THREE));
            assertEquals("eps = " + eps + " is not allowed: eps must be a finite number > 0", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> NormKernel.forward(TWO_BY_THREE, Centering.CENTERED,
                    eps, X, null, null, Statistics.batch(), Tensor.zeros(DType.FLOAT64, Shape.of(2, 3))));
        }

        @Test
        void theLayoutMustCoverTheInput() {
            ShapeException e = assertThrows(ShapeException.class, () -> NormKernel.forward(Layout.channels(2, 4, 1),
                    Centering.CENTERED, 1e-5, X, null, null, Statistics.batch(), Tensor.zeros(DType.FLOAT64, 2, 3)));
            assertTrue(e.getMessage().startsWith("normalize: layout "), e.getMessage());
            assertThrows(ShapeException.class, () -> NormKernel.moments(Layout.rows(3, 3), Centering.CENTERED, X));
            assertThrows(ShapeException.class, () -> NormKernel.backward(Layout.rows(3, 3), Centering.CENTERED,
                    X, X, saved(), null, FusedNorm.GradMask.all()));
        }

        @Test
        void theOutputMustHaveTheInputsShapeAndDtype() {
            ShapeException shape = assertThrows(ShapeException.class, () -> NormKernel.forward(TWO_BY_THREE,
                    Centering.CENTERED, 1e-5, X, null, null, Statistics.batch(), Tensor.zeros(DType.FLOAT64, 3, 2)));
            assertEquals("normalize: the output tensor has shape (3, 2) but (2, 3) was expected", shape.getMessage());
            IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> NormKernel.forward(
                    TWO_BY_THREE, Centering.CENTERED, 1e-5, X, null, null, Statistics.batch(),
                    Tensor.zeros(DType.FLOAT32, 2, 3)));
            assertEquals("normalize: the output tensor is float32 but the input is float64: allocate it with the "
                    + "input's dtype", dtype.getMessage());
        }

        @Test
        void theOutputGradientMustHaveTheInputsShape() {
            ShapeException e = assertThrows(ShapeException.class, () -> NormKernel.backward(TWO_BY_THREE,
                    Centering.CENTERED, Tensor.zeros(DType.FLOAT64, 3, 2), X, saved(), null,
                    new FusedNorm.GradMask(true, false, false)));
            assertEquals("normalize backward: the output gradient has shape (3, 2) but (2, 3) was expected",
                    e.getMessage());
        }

        @Test
        void constantStatisticsMustPairMeansWithVariances() {
            Statistics uneven = Statistics.running(Tensor.zeros(DType.FLOAT64, 3), Tensor.ones(DType.FLOAT64, 2));
            ShapeException e = assertThrows(ShapeException.class, () -> NormKernel.forward(TWO_BY_THREE,
                    Centering.CENTERED, 1e-5, X, null, null, uneven, Tensor.zeros(DType.FLOAT64, 2, 3)));
            assertEquals("normalize: constant statistics need the same number of means and variances (got 3 and 2), "
                    + "one per set or a divisor of the 3 sets", e.getMessage());
        }

        @Test
        void layoutSizesMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> Layout.channels(0, 3, 1));
            assertThrows(IllegalArgumentException.class, () -> Layout.channels(2, 3, 0));
            assertThrows(IllegalArgumentException.class, () -> Layout.rows(2, 0));
        }
    }

    private static FusedNorm.Saved saved() {
        return new FusedNorm.Saved(Tensor.zeros(DType.FLOAT64, 3), Tensor.ones(DType.FLOAT64, 3), true);
    }

    @Nested
    class MomentsOnTheirOwn {
        @Test
        void perChannelMeanAndBiasedVarianceOverTheBatch() {
            Moments m = NormKernel.moments(TWO_BY_THREE, Centering.CENTERED, X);
            assertArrayEquals(new double[] {3, 5, 8}, m.mean(), 1e-12);
            assertArrayEquals(new double[] {4, 9, 25}, m.variance(), 1e-12);
            assertEquals(2, m.setSize());
        }

        @Test
        void perRowMeanAndTheMeanSquareWhenUncentered() {
            Moments centered = NormKernel.moments(Layout.rows(2, 3), Centering.CENTERED, X);
            assertArrayEquals(new double[] {2, 26.0 / 3}, centered.mean(), 1e-12);
            assertArrayEquals(new double[] {2.0 / 3, (25 + 64 + 169) / 3.0 - 26.0 * 26 / 9}, centered.variance(),
                    1e-12);
            Moments uncentered = NormKernel.moments(Layout.rows(2, 3), Centering.UNCENTERED, X);
            assertArrayEquals(new double[] {0, 0}, uncentered.mean());
            assertArrayEquals(new double[] {14.0 / 3, 258.0 / 3}, uncentered.variance(), 1e-12);
        }

        @Test
        void aKernelKeepsItsCenteringAndEps() {
            NormKernel kernel = NormKernel.of(Centering.UNCENTERED, 1e-3, shape -> TWO_BY_THREE);
            assertEquals(Centering.UNCENTERED, kernel.centering());
            assertEquals(1e-3, kernel.eps());
        }
    }
}
