package org.normkit.core.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.example.writing.ChannelRmsNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStats;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.batch.BatchNorm;
import org.normkit.core.kernel.Moments;

/**
 * The running statistics' update rule on observed moments given directly, the presets' names and choices, and
 * recalibration from a single batch: what {@code RunningStatsPolicyTest} reaches only through whole layers.
 */
class RunningStatsUpdateTest {
    private static final NormSpec SPEC = NormSpec.of(1).withDtype(DType.FLOAT64);

    private static RunningStats stats(RunningStatsPolicy policy) {
        return RunningStats.of(SPEC, policy).orElseThrow();
    }

    @Nested
    class Presets {
        @Test
        void cumulativeAveragesEveryBatchAlikeWithBesselsCorrection() {
            RunningStatsPolicy cumulative = RunningStatsPolicy.cumulative();
            assertEquals(RunningStatsPolicy.Tracked.MEAN_AND_VARIANCE, cumulative.tracked());
            assertEquals(RunningStatsPolicy.Estimator.UNBIASED, cumulative.estimator());
            assertEquals(RunningStatsPolicy.UpdateRule.CUMULATIVE, cumulative.updateRule());
            assertTrue(cumulative.counting());
        }

        @Test
        void kerasKeepsTheBiasedVarianceWithTheMomentum() {
            RunningStatsPolicy keras = RunningStatsPolicy.keras();
            assertEquals(RunningStatsPolicy.Estimator.BIASED, keras.estimator());
            assertEquals(RunningStatsPolicy.UpdateRule.PYTORCH_MOMENTUM, keras.updateRule());
            assertTrue(keras.counting());
        }

        @Test
        void aPolicyNamesWhatItTracksItsEstimatorAndWhetherItCounts() {
            assertEquals("mean_and_variance, unbiased", RunningStatsPolicy.pytorch().toString());
            assertEquals("mean_and_variance, unbiased, not counting",
                    RunningStatsPolicy.pytorch().withoutCounting().toString());
            assertEquals("mean_of_squares, biased", RunningStatsPolicy.meanOfSquares().toString());
        }

        @Test
        void aMeanOfSquaresStaysBiasedWhicheverPresetTheOptionNames() {
            for (String preset : new String[] {"pytorch", "cumulative", "keras"}) {
                RunningStatsPolicy chosen = RunningStatsPolicy.meanOfSquares()
                        .forSpec(SPEC.withOption(RunningStatsPolicy.OPTION, preset), "rms");
                assertEquals(RunningStatsPolicy.Estimator.BIASED, chosen.estimator(), preset);
                assertEquals(RunningStatsPolicy.Tracked.MEAN_OF_SQUARES, chosen.tracked(), preset);
            }
            assertEquals(RunningStatsPolicy.UpdateRule.CUMULATIVE, RunningStatsPolicy.meanOfSquares()
                    .forSpec(SPEC.withOption(RunningStatsPolicy.OPTION, "cumulative"), "rms").updateRule());
            // So a layer of such a norm can be asked for PyTorch's preset (momentum rule, counting).
            NormLayer rms = new ChannelRmsNorm().create(NormSpec.of(2).withOption(RunningStatsPolicy.OPTION,
                    "pytorch"));
            assertEquals(RunningStatsPolicy.Estimator.BIASED, rms.runningStats().orElseThrow().policy().estimator());
        }
    }

    @Nested
    class Update {
        @Test
        void theUnbiasedVarianceRefusesASetOfOneValueNamingIt() {
            RunningStats running = RunningStats.of(NormSpec.of(2).withDtype(DType.FLOAT64),
                    RunningStatsPolicy.pytorch()).orElseThrow();
            Moments observed = new Moments(new double[] {0, 1}, new double[] {1, 1}, 3);
            IllegalArgumentException inSet = assertThrows(IllegalArgumentException.class,
                    () -> running.update(observed, new int[] {3, 1}));
            assertEquals("the running variance needs at least 2 values per statistics set, got 1 in set 1 (the "
                    + "unbiased variance divides by m - 1)", inSet.getMessage());

            IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> stats(
                    RunningStatsPolicy.pytorch()).update(new Moments(new double[] {0}, new double[] {1}, 1)));
            assertEquals("the running variance needs at least 2 values per statistics set, got 1 (the unbiased "
                    + "variance divides by m - 1)", one.getMessage());
            assertEquals(0, running.batchesTracked(), "a refused update counts nothing");
        }

        @Test
        void theBiasedVarianceTakesASetOfOneValue() {
            RunningStats keras = stats(RunningStatsPolicy.keras());
            keras.update(new Moments(new double[] {2}, new double[] {0}, 1));
            assertEquals(0.2, keras.mean().item(), 1e-15);
            assertEquals(0.9, keras.variance().item(), 1e-15);
        }

        @Test
        void aMeanOfSquaresIsTheVariancePlusTheSquaredMean() {
            RunningStats squares = stats(RunningStatsPolicy.meanOfSquares());
            squares.update(new Moments(new double[] {2}, new double[] {3}, 4));
            // E[x²] = σ² + μ² = 7, folded in with momentum 0.1 from the initial 1.
            assertEquals(0.9 * 1 + 0.1 * 7, squares.variance().item(), 1e-15);
            assertEquals(0.0, squares.mean().item());
        }
    }

    @Nested
    class Recalibration {
        @Test
        void oneBatchIsEnoughAndTheCountStartsAgain() {
            NormLayer layer = new BatchNorm().create("batch_norm", NormSpec.of(2).withDtype(DType.FLOAT64));
            for (long seed = 1; seed <= 3; seed++) {
                layer.forward(Tensor.randn(DType.FLOAT64, Shape.of(5, 2), seed));
            }
            Tensor batch = Tensor.randn(DType.FLOAT64, Shape.of(6, 2), 9).mul(3).add(2);
            assertEquals(1, RunningStats.recalibrate(layer, List.of(batch), 1));

            RunningStats running = layer.runningStats().orElseThrow();
            assertEquals(1, running.batchesTracked());
            double[] mean = batch.mean(new int[] {0}, false).toDoubleArray();
            double[] unbiased = batch.var(new int[] {0}, true, false).toDoubleArray();
            assertArrayEquals(mean, running.mean().toDoubleArray(), 1e-12);
            assertArrayEquals(unbiased, running.variance().toDoubleArray(), 1e-12);
        }
    }
}
