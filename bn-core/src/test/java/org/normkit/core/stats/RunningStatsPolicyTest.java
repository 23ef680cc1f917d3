package org.normkit.core.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.nn.Sequential;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStats;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.batch.BatchNorm;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;

/**
 * Running statistics as a policy: what is tracked, the estimator, the update rule and recalibration, each on both
 * faces, against statistics computed here from the raw values.
 */
class RunningStatsPolicyTest {
    private static final BatchNorm BATCH_NORM = new BatchNorm();
    private static final NormSpec F64 = NormSpec.of(3).withDtype(DType.FLOAT64);

    /** A batch of 4 samples of 3 channels, different for every seed. */
    private static Tensor batch(long seed) {
        return Tensor.randn(DType.FLOAT64, Shape.of(4, 3), seed).mul(2.0).add((double) seed);
    }

    private static double mean(Tensor x, int c) {
        double s = 0;
        for (int n = 0; n < x.dim(0); n++) {
            s += x.at(n, c);
        }
        return s / x.dim(0);
    }

    /** Σ(x − μ)² / divisor over the batch of channel c. */
    private static double squaredDeviations(Tensor x, int c, double divisor) {
        double m = mean(x, c);
        double s = 0;
        for (int n = 0; n < x.dim(0); n++) {
            s += (x.at(n, c) - m) * (x.at(n, c) - m);
        }
        return s / divisor;
    }

    private static NormLayer layer(NormSpec spec, Face face) {
        NormLayer layer = BATCH_NORM.create("batch_norm1d", spec);
        layer.setFace(face);
        return layer;
    }

    @Nested
    class Estimator {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void pytorchsDefaultFoldsTheUnbiasedVariance(Face face) {
            NormLayer bn = layer(F64.withMomentum(1.0), face);
            Tensor x = batch(1);
            bn.forward(x);
            for (int c = 0; c < 3; c++) {
                assertEquals(squaredDeviations(x, c, 3), bn.runningStats().orElseThrow().variance().get(c), 1e-12);
            }
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void kerasPresetFoldsTheBiasedVarianceWithItsMomentumAndEps(Face face) {
            NormSpec keras = Norm.kerasSpec(3).withDtype(DType.FLOAT64);
            assertEquals(1e-3, keras.eps());
            assertEquals(0.01, keras.momentum().getAsDouble(), "Keras' momentum 0.99 is the weight of the old value");
            NormLayer bn = layer(keras, face);
            Tensor x = batch(2);
            bn.forward(x);
            RunningStats r = bn.runningStats().orElseThrow();
            for (int c = 0; c < 3; c++) {
                assertEquals(0.99 * 0 + 0.01 * mean(x, c), r.mean().get(c), 1e-12);
                assertEquals(0.99 * 1 + 0.01 * squaredDeviations(x, c, 4), r.variance().get(c), 1e-12);
            }
            assertEquals(RunningStatsPolicy.Estimator.BIASED, r.policy().estimator());
        }

        @Test
        void aMeanOfSquaresRefusesBesselsCorrection() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunningStatsPolicy.meanOfSquares().withEstimator(RunningStatsPolicy.Estimator.UNBIASED));
            assertTrue(e.getMessage().startsWith("a running mean of squares takes the BIASED estimator"),
                    e.getMessage());
        }
    }

    @Nested
    class UpdateRule {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void cumulativePresetCountsEveryBatchAlikeWhateverTheMomentum(Face face) {
            NormLayer bn = layer(F64.withMomentum(0.1).withOption(RunningStatsPolicy.OPTION, "cumulative"), face);
            List<Tensor> batches = List.of(batch(1), batch(2), batch(3));
            batches.forEach(bn::forward);
            RunningStats r = bn.runningStats().orElseThrow();
            for (int c = 0; c < 3; c++) {
                int channel = c;
                assertEquals(batches.stream().mapToDouble(x -> mean(x, channel)).average().orElseThrow(),
                        r.mean().get(c), 1e-12);
                assertEquals(batches.stream().mapToDouble(x -> squaredDeviations(x, channel, 3)).average()
                        .orElseThrow(), r.variance().get(c), 1e-12);
            }
            assertEquals(3, r.batchesTracked());
        }

        @Test
        void anUnknownPresetIsRefusedNamingTheOnesThatExist() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BATCH_NORM.create(F64.withOption(RunningStatsPolicy.OPTION, "tensorflow")));
            assertEquals("batch_norm: option running_stats=tensorflow is not a preset: expected pytorch, cumulative "
                    + "or keras", e.getMessage());
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void aNormMaySupplyARuleOfItsOwn(Face face) {
            NormLayer layer = new HalfAndHalf().create(F64);
            layer.setFace(face);
            Tensor x = batch(4);
            layer.forward(x);
            for (int c = 0; c < 3; c++) {
                assertEquals(0.5 * mean(x, c), layer.runningStats().orElseThrow().mean().get(c), 1e-12);
            }
        }
    }

    /** BatchNorm whose running statistics move half-way to each batch's. */
    static class HalfAndHalf extends BatchNorm {
        @Override
        public RunningStatsPolicy runningStats() {
            return RunningStatsPolicy.pytorch().withUpdateRule((spec, n) -> 0.5);
        }
    }

    /**
     * The norm of the user: per-channel scaling by the root mean square over the batch and positions, no
     * centring, a running mean of squares.
     */
    static class ChannelRms extends Norm {
        ChannelRms() {
            super("channel_rms", "test double", ContractPreset.channelFirst(2));
        }

        @Override
        public Centering centering() {
            return Centering.UNCENTERED;
        }

        @Override
        public RunningStatsPolicy runningStats() {
            return RunningStatsPolicy.meanOfSquares();
        }

        @Override
        public Layout layout(NormLayer layer, Shape input) {
            return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            Tensor meanSquare = use instanceof Statistics.Running r ? r.variance().reshape(1, x.dim(1))
                    : x.square().mean(new int[] {0}, true);
            return x.mul(meanSquare.add(layer.spec().eps()).rsqrt()).mul(layer.weight().orElseThrow())
                    .add(layer.bias().orElseThrow());
        }
    }

    @Nested
    class Tracked {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void aMeanOfSquaresIsOneBufferEstimatingExSquaredAndNormalisesInEvaluation(Face face) {
            NormLayer layer = new ChannelRms().create(F64.withMomentum(1.0));
            layer.setFace(face);
            assertEquals(Set.of("weight", "bias", "running_mean_square", "num_batches_tracked"),
                    layer.stateDict().keySet(), "no running_mean to shrink towards nothing");
            Tensor x = batch(5);
            layer.forward(x);
            double[] meanSquare = new double[3];
            for (int c = 0; c < 3; c++) {
                meanSquare[c] = squaredDeviations(x, c, 4) + mean(x, c) * mean(x, c);
                assertEquals(meanSquare[c], layer.stateDict().get("running_mean_square").get(c), 1e-12,
                        "the plain mean of x², no Bessel's correction");
            }
            layer.eval();
            Tensor y = layer.forward(x);
            for (int c = 0; c < 3; c++) {
                assertEquals(x.at(1, c) / Math.sqrt(meanSquare[c] + 1e-5), y.at(1, c), 1e-12);
            }
        }

        @Test
        void aCentredNormCannotKeepOnlyAMeanOfSquares() {
            Norm centred = new BatchNorm() {
                @Override
                public RunningStatsPolicy runningStats() {
                    return RunningStatsPolicy.meanOfSquares();
                }
            };
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> centred.create(F64));
            assertTrue(e.getMessage().startsWith("batch_norm: a running mean of squares cannot normalise a centred "
                    + "norm"), e.getMessage());
        }

        @Test
        void nothingTrackedMeansNoBuffersAndBatchStatisticsInEvaluation() {
            NormLayer layer = new ChannelRms() {
                @Override
                public RunningStatsPolicy runningStats() {
                    return RunningStatsPolicy.none();
                }
            }.create(F64);
            assertEquals(Set.of("weight", "bias"), layer.stateDict().keySet());
            layer.eval();
            assertTrue(layer.statisticsInUse().isBatch());
        }
    }

    @Nested
    class Recalibrate {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void reEstimatesFromEqualWeightsOfTheGivenBatchesAndRestoresTheSwitches(Face face) {
            NormLayer bn = layer(F64, face);
            Sequential model = new Sequential(bn);
            for (long seed = 10; seed < 15; seed++) {
                model.forward(batch(seed));
            }
            model.eval();
            List<Tensor> calibration = new ArrayList<>(List.of(batch(1), batch(2), batch(3), batch(4)));
            assertEquals(3, RunningStats.recalibrate(model, calibration, 3));
            RunningStats r = bn.runningStats().orElseThrow();
            for (int c = 0; c < 3; c++) {
                int channel = c;
                List<Tensor> used = calibration.subList(0, 3);
                assertEquals(used.stream().mapToDouble(x -> mean(x, channel)).average().orElseThrow(),
                        r.mean().get(c), 1e-12);
                assertEquals(used.stream().mapToDouble(x -> squaredDeviations(x, channel, 3)).average()
                        .orElseThrow(), r.variance().get(c), 1e-12);
            }
            assertFalse(bn.isTraining());
            assertTrue(bn.usesRunningStatistics());
            assertFalse(bn.updatesRunningStatistics());
            assertEquals(RunningStatsPolicy.UpdateRule.PYTORCH_MOMENTUM, r.policy().updateRule(),
                    "the layer's own rule is back");
        }

        @Test
        void aNormThatDoesNotCountBatchesStillAveragesThemEqually() {
            NormLayer layer = new HalfAndHalf() {
                @Override
                public RunningStatsPolicy runningStats() {
                    return RunningStatsPolicy.pytorch().withoutCounting();
                }
            }.create(F64);
            RunningStats.recalibrate(layer, List.of(batch(1), batch(2)), 2);
            assertEquals((mean(batch(1), 0) + mean(batch(2), 0)) / 2, layer.runningStats().orElseThrow().mean().get(0),
                    1e-12);
        }

        @Test
        void noBatchIsAnError() {
            NormLayer bn = layer(F64, Face.AUTO);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunningStats.recalibrate(bn, List.of(), 10));
            assertTrue(e.getMessage().startsWith("recalibrate got no input batch"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> RunningStats.recalibrate(bn, List.of(batch(1)), 0));
        }
    }

    @Test
    void runningStatisticsOptionsAreListedWithTheNormsOptions() {
        Map<String, String> options = BATCH_NORM.allOptions();
        assertTrue(options.containsKey(RunningStatsPolicy.OPTION), options.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BATCH_NORM.create(F64.withOption("momentun", "0.2")));
        assertTrue(e.getMessage().startsWith("batch_norm has no option momentun: its options are running_stats ("),
                e.getMessage());
        assertArrayEquals(new double[] {0, 0, 0}, BATCH_NORM.create(F64).runningStats().orElseThrow().mean()
                .toDoubleArray());
    }
}
