package org.normkit.autograd.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.graph.FusedOp;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * NormGradCheck on a norm whose training backward is approximate by definition ({@link
 * Normalization#approximateBackward}), as PowerNorm's is: the part of the backward that depends on the output gradient
 * is held against finite differences of the forward with the batch's statistics held at their values, and the state
 * the backward updates is restored.
 */
class ApproximateBackwardGradCheckTest {
    private static final Shape INPUT = Shape.of(3, 4);
    /** Large, so that an ε added where it is subtracted moves the held variance far beyond the tolerance. */
    private static final double EPS = 0.5;
    private static final double NU = 0.25;

    /**
     * Test-only: standardisation over the last dimension (one set of statistics per row), y = (x − mean)·rstd·γ + β,
     * whose training backward holds the row's mean and rstd constant and subtracts ν·x̂ from the output gradient, a
     * part that does not depend on it; each backward adds 0.5 to the buffer ν (state a check must restore). In
     * evaluation its backward is exact: it normalises with the running statistics it is given.
     */
    private static final class HeldStatisticsNorm extends Normalization {
        private final NormSpec spec = NormSpec.of(4).withDtype(DType.FLOAT64).withEps(EPS);
        private final boolean exposesStatistics;
        private final double outputGradientScale;
        private final Tensor weight;
        private final Tensor bias;
        private final Tensor nu;

        /**
         * @param exposesStatistics   whether {@link #referenceStatistics} gives the batch's statistics
         * @param outputGradientScale 1 for the rule as stated; another value plants a wrong gradient-dependent part
         */
        HeldStatisticsNorm(boolean exposesStatistics, double outputGradientScale) {
            this.exposesStatistics = exposesStatistics;
            this.outputGradientScale = outputGradientScale;
            this.weight = registerParameter("weight", Tensor.uniform(DType.FLOAT64, Shape.of(4), 0.5, 1.5, 3)).value();
            this.bias = registerParameter("bias", Tensor.uniform(DType.FLOAT64, Shape.of(4), -0.5, 0.5, 4)).value();
            this.nu = registerBuffer("nu", Tensor.of(new double[] {NU}, 1));
        }

        /** Running statistics, one per row of the input, for evaluation. */
        HeldStatisticsNorm withRunningStatistics(double[] mean, double[] variance) {
            registerBuffer("running_mean", Tensor.of(mean, mean.length));
            registerBuffer("running_var", Tensor.of(variance, variance.length));
            return this;
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            int[] last = {x.rank() - 1};
            Tensor mean;
            Tensor rstd;
            if (use instanceof Statistics.Running running) {
                mean = running.mean().reshape(x.dim(0), 1);
                rstd = running.variance().reshape(x.dim(0), 1).add(spec.eps()).rsqrt();
            } else {
                mean = x.mean(last, true).detach();
                rstd = x.var(last, false, true).add(spec.eps()).rsqrt().detach();
            }
            Tensor normalized = x.sub(mean).mul(rstd);
            Tensor out = normalized.mul(weight).add(bias);
            if (!isTraining()) {
                return out;
            }
            Tensor xhat = normalized.detach();
            return FusedOp.record("held_statistics", out.detach().copy(), new Tensor[] {out}, (g, needs) -> {
                Tensor gradient = g.mul(outputGradientScale).sub(xhat.mul(nu.get(0)));
                nu.set(0, nu.get(0) + 0.5);
                return new Tensor[] {gradient};
            }, null);
        }

        @Override
        public Tensor forward(Tensor x) {
            return reference(x, statisticsInUse());
        }

        @Override
        public Optional<String> approximateBackward() {
            return isTraining() ? Optional.of("the row's statistics held constant, ν·x̂ subtracted") : Optional.empty();
        }

        @Override
        public Optional<FusedNorm.Saved> referenceStatistics(Tensor x, Statistics use) {
            if (!exposesStatistics) {
                return Optional.empty();
            }
            int[] last = {x.rank() - 1};
            Tensor mean = x.mean(last, false);
            Tensor rstd = x.var(last, false, false).add(spec.eps()).rsqrt();
            return Optional.of(new FusedNorm.Saved(mean, rstd, true));
        }

        @Override
        public NormSpec spec() {
            return spec;
        }

        @Override
        public Optional<FusedNorm> fused() {
            return Optional.empty();
        }

        @Override
        public void setFace(Face mode) {
        }

        @Override
        public Face face() {
            return Face.REFERENCE;
        }

        @Override
        public Optional<Tensor> weight() {
            return Optional.of(weight);
        }

        @Override
        public Optional<Tensor> bias() {
            return Optional.of(bias);
        }
    }

    private static Tensor input() {
        return Tensor.randn(DType.FLOAT64, INPUT, 31);
    }

    @Test
    void theOutputGradientsPartIsCheckedAgainstTheForwardWithTheBatchStatisticsHeld() {
        GradCheck.Report report = NormGradCheck.check(new HeldStatisticsNorm(true, 1), input(), 5);

        assertTrue(report.passed(), report.describe());
        String held = " (the part that depends on the output gradient, statistics held)";
        assertEquals(List.of("gradient of input (3, 4)" + held, "gradient of weight (4)" + held,
                "gradient of bias (4)" + held), report.perInput().stream().map(Comparison::what).toList());
    }

    @Test
    void aWrongOutputGradientsPartFailsNamingTheInput() {
        GradCheck.Report report = NormGradCheck.check(new HeldStatisticsNorm(true, 1.5), input(), 5);

        assertFalse(report.passed(), report.describe());
        assertFalse(report.perInput().get(0).passed(), report.describe());
    }

    @Test
    void theStateItsBackwardUpdatesIsRestoredAndNoGradientIsLeftBehind() {
        HeldStatisticsNorm layer = new HeldStatisticsNorm(true, 1);

        NormGradCheck.check(layer, input(), 5);

        assertEquals(NU, layer.stateDict().get("nu").item(), "ν after the check");
        for (Parameter p : layer.parameters()) {
            assertNull(p.grad(), "a gradient left behind");
        }
    }

    @Test
    void inEvaluationTheBackwardIsExactAndCheckedAsADerivative() {
        HeldStatisticsNorm layer = new HeldStatisticsNorm(true, 1)
                .withRunningStatistics(new double[] {0.1, -0.2, 0.3}, new double[] {0.5, 1.5, 2.0});
        layer.train(false);

        GradCheck.Report report = NormGradCheck.check(layer, input(), 5);

        assertTrue(report.passed(), report.describe());
        assertEquals("gradient of input (3, 4)", report.perInput().get(0).what());
    }

    @Test
    void aNormThatDoesNotExposeItsBatchStatisticsIsRefusedNamingTheOverride() {
        HeldStatisticsNorm layer = new HeldStatisticsNorm(false, 1);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NormGradCheck.check(layer, input(), 5));

        assertTrue(e.getMessage().contains("is approximate (the row's statistics held constant, ν·x̂ subtracted), "
                + "but the layer does not expose its batch statistics (Normalization.referenceStatistics) to hold "
                + "them constant: override it"), e.getMessage());
    }
}
