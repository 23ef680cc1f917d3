package org.normkit.core.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStats;

class BatchNormTest {
    private static final BatchNorm BATCH_NORM = new BatchNorm();
    private static final NormSpec F64 = NormSpec.of(3).withDtype(DType.FLOAT64);

    private static Tensor input(int... shape) {
        return Tensor.randn(DType.FLOAT64, Shape.of(shape), 42).mul(2.0).add(1.0);
    }

    @Nested
    class BadInput {
        @Test
        void wrongRankNamesTheVariantAndTheLayout() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> BATCH_NORM.create("batch_norm2d", F64).forward(input(2, 3, 4)));
            assertEquals("batch_norm2d: expected a 4-d input (N, C, H, W), got 3-d input of shape (2, 3, 4)",
                    e.getMessage());
            ShapeException e1 = assertThrows(ShapeException.class,
                    () -> BATCH_NORM.create("batch_norm1d", F64).forward(input(2, 3, 4, 4)));
            assertTrue(e1.getMessage().startsWith("batch_norm1d: expected a 2 or 3-d input (N, C) or (N, C, L)"),
                    e1.getMessage());
            assertThrows(ShapeException.class, () -> BATCH_NORM.create("batch_norm3d", F64).forward(input(2, 3, 4, 4)));
            assertThrows(ShapeException.class, () -> BATCH_NORM.create(F64).forward(input(6)));
        }

        @Test
        void channelCountMustEqualNumFeatures() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> BATCH_NORM.create("batch_norm2d", F64).forward(input(2, 4, 5, 5)));
            assertEquals("batch_norm2d: expected 3 channels (numFeatures) in dimension 1, got input of shape "
                    + "(2, 4, 5, 5) (4 there): build the layer for 4 or feed it inputs with 3", e.getMessage());
        }

        @Test
        void oneValuePerChannelIsRefusedInTraining() {
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> BATCH_NORM.create("batch_norm1d", F64).forward(input(1, 3)));
            assertTrue(e.getMessage().startsWith("batch_norm1d: expected more than 1 value per channel when training, "
                    + "got input of shape (1, 3)"), e.getMessage());
            assertThrows(UnsupportedInputException.class, () -> BATCH_NORM.create("batch_norm2d", F64).forward(input(1, 3, 1, 1)));
            // In evaluation one value per channel is fine: the running statistics normalise.
            NormLayer bn = BATCH_NORM.create("batch_norm1d", F64);
            bn.eval();
            assertEquals(Shape.of(1, 3), bn.forward(input(1, 3)).shape());
        }

        @Test
        void anEmptyBatchIsRefused() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> BATCH_NORM.create("batch_norm2d", F64).forward(Tensor.zeros(DType.FLOAT64, Shape.of(0, 3, 4, 4))));
            assertEquals("batch_norm2d: got an empty input of shape (0, 3, 4, 4) (dimension 0 has size 0, an empty "
                    + "batch): every dimension must be >= 1", e.getMessage());
        }

        @Test
        void epsMustBePositive() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F64.withEps(0));
            assertTrue(e.getMessage().startsWith("eps = 0.0 is not allowed: eps must be a finite number > 0"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> F64.withEps(-1e-5));
        }

        @Test
        void momentumMustLieInZeroOne() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F64.withMomentum(1.5));
            assertTrue(e.getMessage().startsWith("momentum = 1.5 is outside [0, 1]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> F64.withMomentum(-0.1));
        }

        @Test
        void float32InputIntoAFloat64LayerNamesBothDtypesAndTheFix() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BATCH_NORM.create("batch_norm2d", F64).forward(Tensor.randn(DType.FLOAT32, Shape.of(2, 3, 2, 2), 1)));
            assertEquals("batch_norm2d: the input is float32 but the layer is float64 (its parameters and running "
                    + "statistics): convert the input with x.to(DType.FLOAT64), or build the layer in float32 with "
                    + "NormSpec.withDtype(DType.FLOAT32)", e.getMessage());
        }

        @Test
        void parametersOfTheWrongShapeAreRefusedOnLoad() {
            NormLayer bn = BATCH_NORM.create("batch_norm2d", F64);
            Map<String, Tensor> state = new LinkedHashMap<>(bn.stateDict());
            state.put("weight", Tensor.ones(DType.FLOAT64, Shape.of(4)));
            state.put("bias", Tensor.zeros(DType.FLOAT64, Shape.of(3, 1)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.loadStateDict(state));
            assertTrue(e.getMessage().contains("entry 'weight' has shape (4) but this NormLayer needs (3)"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("entry 'bias' has shape (3, 1) but this NormLayer needs (3)"),
                    e.getMessage());
            assertEquals(1.0, bn.weight().orElseThrow().get(0), "nothing is copied when the load fails");
        }

        @Test
        void aLayerWithoutAFusedFaceCannotBeForcedOntoIt() {
            NormLayer bn = new BatchNorm() {
                @Override
                public java.util.Optional<org.normkit.autograd.spi.FusedNorm> fused(NormLayer layer) {
                    return java.util.Optional.empty();
                }
            }.create(F64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> bn.setFace(Face.FUSED));
            assertEquals("batch_norm has no fused face: use REFERENCE or AUTO", e.getMessage());
            bn.setFace(Face.AUTO);
            try (Face.Scope ignored = Face.scope(Face.FUSED)) {
                Tensor y = bn.forward(input(2, 3).requiresGrad(true));
                assertFalse(y.creator().op().contains("fused"), "a FUSED scope runs it on its reference face");
            }
        }
    }

    @Nested
    class State {
        @Test
        void stateDictUsesPyTorchNames() {
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                    List.copyOf(BATCH_NORM.create("batch_norm2d", F64).stateDict().keySet()));
            assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"),
                    List.copyOf(BATCH_NORM.create("batch_norm2d", F64.withAffine(false)).stateDict().keySet()));
            assertEquals(List.of("weight", "bias"),
                    List.copyOf(BATCH_NORM.create("batch_norm2d", F64.withTrackRunningStats(false)).stateDict().keySet()));
        }

        @Test
        void freshLayerHasUnitScaleZeroShiftAndUnitRunningVariance() {
            NormLayer bn = BATCH_NORM.create("batch_norm2d", F64);
            assertArrayEquals(new double[] {1, 1, 1}, bn.weight().orElseThrow().toDoubleArray());
            assertArrayEquals(new double[] {0, 0, 0}, bn.bias().orElseThrow().toDoubleArray());
            RunningStats r = bn.runningStats().orElseThrow();
            assertArrayEquals(new double[] {0, 0, 0}, r.mean().toDoubleArray());
            assertArrayEquals(new double[] {1, 1, 1}, r.variance().toDoubleArray());
            assertEquals(0, r.batchesTracked());
            assertEquals(DType.FLOAT64, r.mean().dtype());
            assertEquals(Shape.scalar(), r.numBatchesTracked().shape());
        }

        @Test
        void resetParametersAndResetRunningStatsRestoreTheInitialValues() {
            NormLayer bn = BATCH_NORM.create("batch_norm2d", F64);
            bn.forward(input(2, 3, 2, 2));
            bn.weight().orElseThrow().set(0, 5);
            bn.resetRunningStats();
            assertEquals(5, bn.weight().orElseThrow().get(0));
            assertArrayEquals(new double[] {1, 1, 1}, bn.runningStats().orElseThrow().variance().toDoubleArray());
            assertEquals(0, bn.runningStats().orElseThrow().batchesTracked());
            bn.resetParameters();
            assertEquals(1, bn.weight().orElseThrow().get(0));
        }
    }

    @Nested
    class RunningStatistics {
        private final Tensor x = input(4, 3, 2);

        private double[] channelMean(int c) {
            double s = 0;
            for (int n = 0; n < 4; n++) {
                for (int l = 0; l < 2; l++) {
                    s += x.at(n, c, l);
                }
            }
            return new double[] {s / 8};
        }

        private double channelVariance(int c, boolean unbiased) {
            double m = channelMean(c)[0];
            double s = 0;
            for (int n = 0; n < 4; n++) {
                for (int l = 0; l < 2; l++) {
                    s += (x.at(n, c, l) - m) * (x.at(n, c, l) - m);
                }
            }
            return s / (unbiased ? 7 : 8);
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void runningVarianceUsesUnbiasedEstimate(Face face) {
            NormLayer bn = BATCH_NORM.create("batch_norm1d", F64.withMomentum(1.0));
            bn.setFace(face);
            bn.forward(x);
            RunningStats r = bn.runningStats().orElseThrow();
            for (int c = 0; c < 3; c++) {
                assertEquals(channelMean(c)[0], r.mean().get(c), 1e-12);
                assertEquals(channelVariance(c, true), r.variance().get(c), 1e-12);
                assertNotEquals(channelVariance(c, false), r.variance().get(c), 1e-6);
            }
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void momentumWeighsTheNewBatchAsInPyTorch(Face face) {
            NormLayer bn = BATCH_NORM.create("batch_norm1d", F64.withMomentum(0.25));
            bn.setFace(face);
            bn.forward(x);
            RunningStats r = bn.runningStats().orElseThrow();
            assertEquals(0.75 * 0 + 0.25 * channelMean(1)[0], r.mean().get(1), 1e-12);
            assertEquals(0.75 * 1 + 0.25 * channelVariance(1, true), r.variance().get(1), 1e-12);
            assertEquals(1, r.batchesTracked(), "the counter advances also with a momentum");
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void cumulativeAverageWeighsBatchesEqually(Face face) {
            NormLayer bn = BATCH_NORM.create("batch_norm1d", F64.withCumulativeAverage());
            bn.setFace(face);
            Tensor second = input(4, 3, 2).mul(3.0);
            bn.forward(x);
            RunningStats r = bn.runningStats().orElseThrow();
            assertEquals(channelMean(0)[0], r.mean().get(0), 1e-12, "the first batch replaces the initial values");
            bn.forward(second);
            double secondMean = 0;
            for (int n = 0; n < 4; n++) {
                for (int l = 0; l < 2; l++) {
                    secondMean += second.at(n, 0, l) / 8;
                }
            }
            assertEquals((channelMean(0)[0] + secondMean) / 2, r.mean().get(0), 1e-12);
            assertEquals(2, r.batchesTracked());
        }

        @Test
        void evaluationNormalisesWithTheRunningStatisticsAndLeavesThemAlone() {
            NormLayer bn = BATCH_NORM.create("batch_norm1d", F64);
            bn.forward(x);
            double[] before = bn.runningStats().orElseThrow().mean().toDoubleArray();
            bn.eval();
            assertTrue(bn.statisticsInUse() instanceof Statistics.Running);
            Tensor y = bn.forward(x);
            assertArrayEquals(before, bn.runningStats().orElseThrow().mean().toDoubleArray());
            assertEquals(1, bn.runningStats().orElseThrow().batchesTracked());
            RunningStats r = bn.runningStats().orElseThrow();
            double expected = (x.at(2, 1, 0) - r.mean().get(1)) / Math.sqrt(r.variance().get(1) + 1e-5);
            assertEquals(expected, y.at(2, 1, 0), 1e-12);
        }

        @Test
        void evaluationWithoutTrackingUsesTheBatchStatistics() {
            NormLayer bn = BATCH_NORM.create("batch_norm1d", F64.withTrackRunningStats(false));
            bn.eval();
            assertSame(Statistics.batch(), bn.statisticsInUse());
            Tensor y = bn.forward(x);
            double expected = (x.at(2, 1, 0) - channelMean(1)[0]) / Math.sqrt(channelVariance(1, false) + 1e-5);
            assertEquals(expected, y.at(2, 1, 0), 1e-12);
        }
    }

    @Nested
    class Faces {
        @Test
        void theFusedFaceIsOneGraphNodeOverInputWeightAndBias() {
            NormLayer bn = BATCH_NORM.create("batch_norm2d", F64);
            bn.setFace(Face.FUSED);
            Tensor x = input(2, 3, 2, 2).requiresGrad(true);
            Tensor y = bn.forward(x);
            assertEquals("batch_norm2d (fused)", y.creator().op());
            assertEquals(List.of(x, bn.weight().orElseThrow(), bn.bias().orElseThrow()), y.creator().inputs());
        }

        @Test
        void aScopeChoosesTheFaceOfAutoLayersButNotOfLayersThatChose() {
            NormLayer auto = BATCH_NORM.create("batch_norm2d", F64);
            NormLayer fused = BATCH_NORM.create("batch_norm2d", F64);
            fused.setFace(Face.FUSED);
            Tensor x = input(2, 3, 2, 2).requiresGrad(true);
            assertEquals("batch_norm2d (fused)", auto.forward(x).creator().op(), "AUTO runs the fused face");
            try (Face.Scope ignored = Face.scope(Face.REFERENCE)) {
                assertFalse(auto.forward(x).creator().op().contains("fused"));
                assertEquals("batch_norm2d (fused)", fused.forward(x).creator().op());
            }
        }

        @Test
        void theFusedBackwardIsAskedOnlyForTheGradientsThatAreNeeded() {
            java.util.List<org.normkit.autograd.spi.FusedNorm.GradMask> masks = new java.util.ArrayList<>();
            NormLayer bn = new BatchNorm() {
                @Override
                public java.util.Optional<org.normkit.autograd.spi.FusedNorm> fused(NormLayer layer) {
                    org.normkit.autograd.spi.FusedNorm inner = super.fused(layer).orElseThrow();
                    return java.util.Optional.of(new org.normkit.autograd.spi.FusedNorm() {
                        @Override
                        public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
                            return inner.forward(x, gamma, beta, use, out);
                        }

                        @Override
                        public Gradients backward(Tensor g, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
                            masks.add(mask);
                            return inner.backward(g, x, saved, gamma, mask);
                        }
                    });
                }
            }.create(F64);
            Tensor x = input(4, 3);
            bn.forward(x).sum().backward();
            assertEquals(List.of(new org.normkit.autograd.spi.FusedNorm.GradMask(false, true, true)), masks,
                    "an input that needs no gradient gets none");
            assertTrue(x.grad() == null);
            bn.zeroGrad();
            Tensor y = bn.forward(input(4, 3).requiresGrad(true));
            bn.weight().orElseThrow().requiresGrad(false);
            bn.bias().orElseThrow().requiresGrad(false);
            y.sum().backward();
            assertEquals(new org.normkit.autograd.spi.FusedNorm.GradMask(true, false, false), masks.get(1));
        }

        @Test
        void withoutGradientsNoGraphIsRecorded() {
            NormLayer bn = BATCH_NORM.create("batch_norm2d", F64.withAffine(false));
            assertTrue(bn.forward(input(2, 3, 2, 2)).isLeaf());
        }

        @Test
        void theWorkedExampleOfTheFormatGivesItsNumbers() {
            // The hand-computed example of bn-worked-example.json: x = [1, 2, 3, 4] on one feature, γ = 2, β = 1, momentum 0.1.
            for (Face face : List.of(Face.REFERENCE, Face.FUSED)) {
                NormLayer bn = BATCH_NORM.create("batch_norm1d", NormSpec.of(1).withDtype(DType.FLOAT64));
                bn.setFace(face);
                bn.weight().orElseThrow().set(0, 2);
                bn.bias().orElseThrow().set(0, 1);
                Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 4, 1).requiresGrad(true);
                Tensor y = bn.forward(x);
                y.backward(Tensor.of(new double[] {0.5, -1, 1.5, 2}, 4, 1));
                assertArrayEquals(new double[] {-1.683271, 0.105576, 1.894424, 3.683271}, y.toDoubleArray(), 1e-6);
                assertArrayEquals(new double[] {1.431063, -2.504391, 0.715544, 0.357784}, x.grad().toDoubleArray(),
                        1e-6);
                assertEquals(3.130483, bn.weight().orElseThrow().grad().item(), 1e-6);
                assertEquals(3, bn.bias().orElseThrow().grad().item(), 1e-12);
                RunningStats r = bn.runningStats().orElseThrow();
                assertEquals(0.25, r.mean().item(), 1e-12);
                assertEquals(1.0666667, r.variance().item(), 1e-7);
                assertEquals(1, r.batchesTracked());
            }
        }
    }

    @Nested
    class Registration {
        private final NormRegistry registry = NormRegistry.loadDefault();

        @Test
        void theFourBatchNormsAreRegisteredLikeAnyPlugin() {
            assertTrue(registry.names().containsAll(List.of("batch_norm", "batch_norm1d", "batch_norm2d",
                    "batch_norm3d")), registry.names().toString());
            for (String name : List.of("batch_norm", "batch_norm1d", "batch_norm2d", "batch_norm3d")) {
                assertTrue(registry.get(name).summary().contains("Ioffe & Szegedy 2015"), name);
            }
        }

        @Test
        void specForTakesNumFeaturesFromDimensionOne() {
            NormSpec spec = registry.get("batch_norm2d").contract().specFor(Shape.of(8, 256, 14, 14),
                    NormSpec.of(1).withEps(1e-3));
            assertEquals(256, spec.numFeatures());
            assertEquals(1e-3, spec.eps());
            Normalization bn = registry.get("batch_norm").create(registry.get("batch_norm").contract()
                    .specFor(Shape.of(256, 1024), NormSpec.of(1)));
            assertEquals(Shape.of(256, 1024), bn.forward(Tensor.randn(DType.FLOAT32, Shape.of(256, 1024), 1)).shape());
        }

        @Test
        void specForRefusesAShapeOfTheWrongRank() {
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class, () -> registry
                    .get("batch_norm3d").contract().specFor(Shape.of(2, 3, 4, 4), NormSpec.of(1)));
            assertEquals("batch_norm3d cannot take an input of shape (2, 3, 4, 4): it accepts (N, C, D, H, W) with "
                    + "every size >= 1", e.getMessage());
        }

        @Test
        void benchmarkShapesAreTheAgreedOnes() {
            assertEquals(List.of(Shape.of(32, 64, 56, 56), Shape.of(8, 256, 14, 14)),
                    registry.get("batch_norm2d").contract().benchmarkShapes());
            assertEquals(List.of(Shape.of(256, 1024)), registry.get("batch_norm1d").contract().benchmarkShapes());
        }
    }
}
