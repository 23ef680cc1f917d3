package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.core.kernel.KernelCases.EPS;
import static org.normkit.core.kernel.KernelCases.assertPasses;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.check.Comparison;
import org.normkit.autograd.check.Tolerance;
import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.spi.FusedNorm.GradMask;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

class NormKernelTest {

    /** The layouts of the whole family, with the sizes where blocked loops go wrong. */
    static Stream<Arguments> layouts() {
        return KernelCases.withEveryCenteringDtypeAndUse(
            Layout.channels(3, 4, 5),                 // batch (N, C, L)
            Layout.channels(7, 5, 1),                 // batch (N, C): loops across channels
            Layout.channels(1, 1, 6),                 // C = 1, N = 1
            Layout.channels(3000, 3, 1),              // many rows: several moment pieces per channel
            Layout.channels(2, 2, 4100),              // a run longer than one piece
            Layout.rows(6, 10),                       // layer: γ per position
            Layout.rows(3, 5000),                     // a row longer than one piece
            Layout.rows(2 * 3, 7, 3, 1, 7),           // instance N=2, C=3, S=7
            Layout.rows(2 * 2, 3 * 4, 2, 3, 4),       // group N=2, G=2, C=6, S=4
            Layout.rows(3 * 2, 4, 2, 4, 1));          // group with S = 1: γ per element again
    }

    @Nested
    class AgainstTheFormulas {
        @ParameterizedTest(name = "{0} {1} {2} {3}")
        @MethodSource("org.normkit.core.kernel.NormKernelTest#layouts")
        void forwardAndBackwardMatchTheFormulas(Layout layout, Centering centering, DType dtype, KernelCases.Use use) {
            KernelCases.checkAgainstOracle(layout, centering, dtype, use);
        }
    }

    /** The formulas of docs/conformance-format.md section 4, element by element, through the layout's own index maps. */
    static final class Oracle {
        final double[] mean;
        final double[] rstd;
        final double[] y;
        final double[] dx;
        final double[] dGamma;
        final double[] dBeta;

        Oracle(Layout l, Centering c, double[] x, double[] gamma, double[] beta, double[] runningMean,
               double[] runningVar, double[] g) {
            int sets = l.sets();
            double m = l.setSize();
            boolean centered = c == Centering.CENTERED;
            mean = new double[sets];
            double[] variance = new double[sets];
            if (runningMean == null) {
                for (int i = 0; i < x.length; i++) {
                    mean[l.setOf(i)] += centered ? x[i] / m : 0;
                }
                for (int i = 0; i < x.length; i++) {
                    double d = x[i] - mean[l.setOf(i)];
                    variance[l.setOf(i)] += d * d / m;
                }
            } else {
                for (int s = 0; s < sets; s++) {
                    mean[s] = centered ? runningMean[s % runningMean.length] : 0;
                    variance[s] = runningVar[s % runningVar.length];
                }
            }
            rstd = new double[sets];
            for (int s = 0; s < sets; s++) {
                rstd[s] = 1 / Math.sqrt(variance[s] + EPS);
            }
            y = new double[x.length];
            double[] xhat = new double[x.length];
            double[] meanGhat = new double[sets];
            double[] meanGhatXhat = new double[sets];
            dGamma = new double[gamma.length];
            dBeta = new double[gamma.length];
            for (int i = 0; i < x.length; i++) {
                int s = l.setOf(i);
                int a = l.affineIndexOf(i);
                xhat[i] = (x[i] - mean[s]) * rstd[s];
                y[i] = gamma[a] * xhat[i] + beta[a];
                meanGhat[s] += gamma[a] * g[i] / m;
                meanGhatXhat[s] += gamma[a] * g[i] * xhat[i] / m;
                dGamma[a] += g[i] * xhat[i];
                dBeta[a] += g[i];
            }
            dx = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int s = l.setOf(i);
                double ghat = gamma[l.affineIndexOf(i)] * g[i];
                dx[i] = runningMean != null ? rstd[s] * ghat
                        : rstd[s] * (ghat - (centered ? meanGhat[s] : 0) - xhat[i] * meanGhatXhat[s]);
            }
        }
    }

    @Nested
    class Accuracy {
        /** Mean 1e6, standard deviation 1e-2: eight digits cancel in x − μ; a stable algorithm keeps the rest. */
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.core.kernel.NormKernelTest#largeOffsetLayouts")
        void largeOffsetNormalisesToWithinOneMillionthOfTheExactResult(Layout layout) {
            Shape shape = Shape.of(layout.numel());
            Tensor x = Tensor.randn(DType.FLOAT64, shape, 7).mul(1e-2).add(1e6);
            Tensor out = Tensor.zeros(DType.FLOAT64, shape);
            NormKernel.forward(layout, Centering.CENTERED, EPS, x, null, null, Statistics.batch(), out);
            double[] exact = exactNormalised(layout, x.doubleData());
            assertPasses(Comparison.of("x̂", out, Tensor.wrap(exact, shape), Tolerance.LARGE_OFFSET_FLOAT64));

            // The test can tell: the one-pass E[x²] − E[x]² misses the exact result by far.
            double[] onePass = onePassNormalised(layout, x.doubleData());
            assertFalse(Comparison.of("one-pass x̂", Tensor.wrap(onePass, shape), Tensor.wrap(exact, shape),
                    Tolerance.LARGE_OFFSET_FLOAT64).passed());
        }

        private double[] exactNormalised(Layout l, double[] x) {
            MathContext mc = new MathContext(50);
            int sets = l.sets();
            BigDecimal m = BigDecimal.valueOf(l.setSize());
            BigDecimal[] sum = new BigDecimal[sets];
            BigDecimal[] squares = new BigDecimal[sets];
            for (int s = 0; s < sets; s++) {
                sum[s] = BigDecimal.ZERO;
                squares[s] = BigDecimal.ZERO;
            }
            for (int i = 0; i < x.length; i++) {
                sum[l.setOf(i)] = sum[l.setOf(i)].add(new BigDecimal(x[i]));
            }
            BigDecimal[] mean = new BigDecimal[sets];
            for (int s = 0; s < sets; s++) {
                mean[s] = sum[s].divide(m, mc);
            }
            for (int i = 0; i < x.length; i++) {
                BigDecimal d = new BigDecimal(x[i]).subtract(mean[l.setOf(i)]);
                squares[l.setOf(i)] = squares[l.setOf(i)].add(d.multiply(d, mc));
            }
            BigDecimal[] rstd = new BigDecimal[sets];
            for (int s = 0; s < sets; s++) {
                BigDecimal variance = squares[s].divide(m, mc);
                rstd[s] = BigDecimal.ONE.divide(variance.add(new BigDecimal(EPS)).sqrt(mc), mc);
            }
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = new BigDecimal(x[i]).subtract(mean[l.setOf(i)]).multiply(rstd[l.setOf(i)], mc).doubleValue();
            }
            return out;
        }

        private double[] onePassNormalised(Layout l, double[] x) {
            double[] sum = new double[l.sets()];
            double[] squares = new double[l.sets()];
            for (int i = 0; i < x.length; i++) {
                sum[l.setOf(i)] += x[i];
                squares[l.setOf(i)] += x[i] * x[i];
            }
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int s = l.setOf(i);
                double mean = sum[s] / l.setSize();
                double variance = squares[s] / l.setSize() - mean * mean;
                out[i] = (x[i] - mean) / Math.sqrt(variance + EPS);
            }
            return out;
        }
    }

    static Stream<Layout> largeOffsetLayouts() {
        return Stream.of(Layout.channels(4, 3, 50), Layout.channels(600, 2, 1), Layout.channels(2, 2, 3000),
                Layout.rows(6, 500), Layout.rows(2, 6000), Layout.rows(4, 8, 2, 2, 4));
    }

    @Nested
    class Threads {
        /** Block boundaries depend on the shape only, so any thread count gives the same bits. */
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.core.kernel.NormKernelTest#threadLayouts")
        void resultsDoNotDependOnTheThreadCount(Layout layout) {
            int before = KernelThreads.get();
            try {
                // These inputs are small enough to stay on the caller; the pool must still be exercised.
                KernelThreads.shareEveryCall(true);
                KernelThreads.set(1);
                List<double[]> one = runAll(layout);
                KernelThreads.set(3);
                List<double[]> three = runAll(layout);
                for (int i = 0; i < one.size(); i++) {
                    assertArrayEquals(one.get(i), three.get(i), "result " + i + " differs between 1 and 3 threads");
                }
            } finally {
                KernelThreads.set(before);
                KernelThreads.shareEveryCall(false);
            }
        }

        private List<double[]> runAll(Layout layout) {
            Shape shape = Shape.of(layout.numel());
            Tensor x = Tensor.randn(DType.FLOAT32, shape, 3);
            Tensor g = Tensor.randn(DType.FLOAT32, shape, 4);
            Tensor gamma = Tensor.uniform(DType.FLOAT32, Shape.of(layout.affineSize()), 0.5, 1.5, 5);
            Tensor out = Tensor.zeros(DType.FLOAT32, shape);
            FusedNorm.Saved saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma, gamma, Statistics.batch(),
                    out);
            FusedNorm.Gradients grads = NormKernel.backward(layout, Centering.CENTERED, g, x, saved, gamma,
                    GradMask.all());
            Moments moments = NormKernel.moments(layout, Centering.CENTERED, x);
            return List.of(out.toDoubleArray(), saved.mean().toDoubleArray(), saved.rstd().toDoubleArray(),
                    grads.input().toDoubleArray(), grads.weight().toDoubleArray(), grads.bias().toDoubleArray(),
                    moments.mean(), moments.variance());
        }
    }

    static Stream<Layout> threadLayouts() {
        return Stream.of(Layout.channels(16, 8, 1024), Layout.channels(4096, 32, 1), Layout.channels(12, 3, 3000),
                Layout.channels(40, 2, 1000), Layout.rows(256, 512),
                Layout.rows(64 * 8, 256, 8, 4, 64));
    }

    @Nested
    class Masks {
        @Test
        void onlyTheGradientsAskedForAreComputed() {
            Layout layout = Layout.channels(4, 3, 2);
            Shape shape = Shape.of(4, 3, 2);
            Tensor x = Tensor.randn(DType.FLOAT64, shape, 1);
            Tensor gamma = Tensor.ones(DType.FLOAT64, Shape.of(3));
            FusedNorm.Saved saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma, null,
                    Statistics.batch(), Tensor.zeros(DType.FLOAT64, shape));
            FusedNorm.Gradients onlyWeight = NormKernel.backward(layout, Centering.CENTERED, x, x, saved, gamma,
                    new GradMask(false, true, false));
            assertNull(onlyWeight.input());
            assertNull(onlyWeight.bias());
            assertEquals(Shape.of(3), onlyWeight.weight().shape());
        }

        @Test
        void aWeightGradientWithoutGammaIsAnError() {
            Layout layout = Layout.rows(2, 3);
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(2, 3), 1);
            FusedNorm.Saved saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, null, null,
                    Statistics.batch(), x.zerosLike());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NormKernel.backward(
                    layout, Centering.CENTERED, x, x, saved, null, GradMask.all()));
            assertTrue(e.getMessage().contains("not affine"), e.getMessage());
        }
    }

    @Nested
    class Arguments_ {
        @Test
        void gammaMustCoverTheAffinePositions() {
            Layout layout = Layout.channels(2, 3, 1);
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(2, 3), 1);
            ShapeException e = assertThrows(ShapeException.class, () -> NormKernel.forward(layout,
                    Centering.CENTERED, EPS, x, Tensor.ones(DType.FLOAT64, Shape.of(4)), null, Statistics.batch(),
                    x.zerosLike()));
            assertTrue(e.getMessage().contains("gamma has shape (4)"), e.getMessage());
        }

        @Test
        void constantStatisticsTileOverTheSets() {
            // InstanceNorm's running statistics: C = 2 entries for N·C = 6 sets; set s uses entry s mod 2.
            Layout layout = Layout.rows(6, 4, 2, 1, 4);
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(24), 2);
            Tensor mean = Tensor.of(new double[] {1, 2}, 2);
            Tensor variance = Tensor.of(new double[] {3, 4}, 2);
            FusedNorm.Saved saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, null, null,
                    Statistics.running(mean, variance), x.zerosLike());
            assertArrayEquals(new double[] {1, 2, 1, 2, 1, 2}, saved.mean().toDoubleArray());
            assertEquals(1 / Math.sqrt(4 + EPS), saved.rstd().get(5), 0);
        }

        @Test
        void rowsLayoutNamesItsInconsistentSizes() {
            ShapeException e = assertThrows(ShapeException.class, () -> Layout.rows(4, 10, 2, 3, 3));
            assertTrue(e.getMessage().contains("channelsPerGroup"), e.getMessage());
        }

        @Test
        void theThreadCountMustBePositive() {
            assertThrows(IllegalArgumentException.class, () -> KernelThreads.set(0));
        }
    }
}
