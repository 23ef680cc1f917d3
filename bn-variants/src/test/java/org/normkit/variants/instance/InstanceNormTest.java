package org.normkit.variants.instance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.variants.Close.assertClose;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.core.NormLayer;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.RunningStats;

class InstanceNormTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();
    /** Affine and tracking, as {@link NormSpec#of} gives. */
    private static final NormSpec TRACKED = NormSpec.of(3).withDtype(DType.FLOAT64);
    /** PyTorch's InstanceNorm defaults. */
    private static final NormSpec PLAIN = InstanceNorm.pytorchSpec(3).withDtype(DType.FLOAT64);

    private static Tensor input(int... shape) {
        return Tensor.randn(DType.FLOAT64, Shape.of(shape), 11).mul(2.0).add(0.5);
    }

    /** Per (n, c): mean and biased variance over the spatial positions, by hand. */
    private static double[][] instanceMoments(Tensor x) {
        int sets = x.dim(0) * x.dim(1);
        int spatial = x.numel() / sets;
        double[] v = x.toDoubleArray();
        double[] mean = new double[sets];
        double[] variance = new double[sets];
        for (int s = 0; s < sets; s++) {
            for (int i = 0; i < spatial; i++) {
                mean[s] += v[s * spatial + i] / spatial;
            }
            for (int i = 0; i < spatial; i++) {
                variance[s] += (v[s * spatial + i] - mean[s]) * (v[s * spatial + i] - mean[s]) / spatial;
            }
        }
        return new double[][] {mean, variance};
    }

    @Nested
    class Contract {
        @Test
        void specForKeepsTheCallersAffineAndTracking() {
            InputContract contract = REGISTRY.get("instance_norm2d").contract();
            NormSpec base = NormSpec.of(1).withAffine(true).withTrackRunningStats(false).withMomentum(0.3);
            NormSpec s = contract.specFor(Shape.of(2, 5, 4, 4), base);
            assertEquals(5, s.numFeatures());
            assertTrue(s.affine());
            assertFalse(s.trackRunningStats());
            assertEquals(0.3, s.momentum().getAsDouble());
        }

        @Test
        void specForWithOptionsAndDefaultSpecArePyTorchsInstanceNormDefaults() {
            NormSpec s = REGISTRY.get("instance_norm1d").contract().specFor(Shape.of(2, 5, 7), Map.of());
            assertEquals(5, s.numFeatures());
            assertFalse(s.affine());
            assertFalse(s.trackRunningStats());
            assertEquals(0.1, s.momentum().getAsDouble());
            assertEquals(1e-5, s.eps());
            assertEquals(s, InstanceNorm.pytorchSpec(5));
            assertTrue(new InstanceNorm().create("instance_norm2d", InstanceNorm.pytorchSpec(5)).stateDict().isEmpty(),
                    "no γ, β or running statistics by default");
        }

        @Test
        void eachVariantAcceptsItsRanksAndCreatesLayersUnderItsName() {
            for (String name : List.of("instance_norm", "instance_norm1d", "instance_norm2d", "instance_norm3d")) {
                NormLayer layer = assertInstanceOf(NormLayer.class, REGISTRY.get(name).create(PLAIN));
                assertEquals(name, layer.name());
                assertInstanceOf(InstanceNorm.class, layer.norm());
            }
            assertTrue(REGISTRY.get("instance_norm").contract().accepts(Shape.of(2, 3, 4)));
            assertTrue(REGISTRY.get("instance_norm").contract().accepts(Shape.of(2, 3, 4, 4, 4)));
            assertFalse(REGISTRY.get("instance_norm").contract().accepts(Shape.of(2, 3)));
            assertFalse(REGISTRY.get("instance_norm2d").contract().accepts(Shape.of(2, 3, 4)));
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> REGISTRY.get("instance_norm3d").contract().specFor(Shape.of(2, 3, 4, 4), Map.of()));
            assertEquals("instance_norm3d cannot take an input of shape (2, 3, 4, 4): it accepts (N, C, D, H, W) with "
                    + "every size >= 1", e.getMessage());
        }
    }

    @Nested
    class BadInput {
        @Test
        void trackingWithoutMomentumIsRefused() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new InstanceNorm().create("instance_norm2d", TRACKED.withCumulativeAverage()));
            assertEquals("instance_norm2d: track_running_stats=true needs a momentum in [0, 1] (PyTorch's default "
                    + "0.1), got momentum=None: only BatchNorm has the cumulative moving average; set one with "
                    + "NormSpec.withMomentum(0.1), or build the layer with withTrackRunningStats(false)",
                    e.getMessage());
            // Without running statistics the momentum is never used.
            new InstanceNorm().create("instance_norm2d", PLAIN.withCumulativeAverage());
        }

        @Test
        void oneSpatialElementIsRefusedInTraining() {
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> new InstanceNorm().create("instance_norm1d", TRACKED).forward(input(4, 3, 1)));
            assertEquals("instance_norm1d: expected more than 1 spatial element when training, got input of shape "
                    + "(4, 3, 1): each (sample, channel) would be its own mean; use a spatial size > 1, or track "
                    + "running statistics and call eval()", e.getMessage());
            assertThrows(UnsupportedInputException.class, () -> new InstanceNorm().create("instance_norm2d", PLAIN).forward(input(2, 3, 1, 1)));
        }

        @Test
        void oneSpatialElementIsRefusedInEvaluationWithoutRunningStatistics() {
            NormLayer plain = new InstanceNorm().create("instance_norm1d", PLAIN);
            plain.eval();
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> plain.forward(input(4, 3, 1)));
            assertTrue(e.getMessage().startsWith("instance_norm1d: expected more than 1 spatial element when "
                    + "normalising with the input's own statistics (no running statistics are tracked)"),
                    e.getMessage());
            NormLayer tracked = new InstanceNorm().create("instance_norm1d", TRACKED);
            tracked.eval();
            assertEquals(Shape.of(4, 3, 1), tracked.forward(input(4, 3, 1)).shape(), "the running statistics can");
        }

        @Test
        void wrongRankAndChannelCountNameTheShape() {
            ShapeException rank = assertThrows(ShapeException.class,
                    () -> new InstanceNorm().create("instance_norm2d", PLAIN).forward(input(2, 3, 4)));
            assertEquals("instance_norm2d: expected a 4-d input (N, C, H, W), got 3-d input of shape (2, 3, 4)",
                    rank.getMessage());
            ShapeException channels = assertThrows(ShapeException.class,
                    () -> new InstanceNorm().create("instance_norm1d", PLAIN).forward(input(2, 4, 5)));
            assertTrue(channels.getMessage().startsWith("instance_norm1d: expected 3 channels (numFeatures) in "
                    + "dimension 1, got input of shape (2, 4, 5)"), channels.getMessage());
        }
    }

    @Nested
    class StatisticsAndState {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void eachSampleAndChannelIsNormalisedOverItsSpatialPositions(Face face) {
            NormLayer in = new InstanceNorm().create("instance_norm2d", TRACKED);
            in.setFace(face);
            in.weight().orElseThrow().copyFrom(Tensor.of(new double[] {0.5, 2, 3}, 3));
            in.bias().orElseThrow().copyFrom(Tensor.of(new double[] {1, -1, 0}, 3));
            Tensor x = input(2, 3, 2, 3);
            double[][] moments = instanceMoments(x);
            double[] v = x.toDoubleArray();
            double[] expected = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                int set = i / 6;
                int c = set % 3;
                expected[i] = (v[i] - moments[0][set]) / Math.sqrt(moments[1][set] + 1e-5)
                        * in.weight().get().get(c) + in.bias().get().get(c);
            }
            assertClose("y", in.forward(x), Tensor.wrap(expected, x.shape()));
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void runningStatisticsAverageTheInstancesWithUnbiasedVariancesAndLeaveTheCounter(Face face) {
            NormLayer in = new InstanceNorm().create("instance_norm1d", TRACKED.withMomentum(0.3));
            in.setFace(face);
            Tensor x = input(4, 3, 5);
            in.forward(x);
            double[][] moments = instanceMoments(x);
            double[] mean = new double[3];
            double[] variance = new double[3];
            for (int set = 0; set < 12; set++) {
                mean[set % 3] += moments[0][set] / 4;
                variance[set % 3] += moments[1][set] * 5 / 4 / 4;
            }
            double[] expectedMean = new double[3];
            double[] expectedVariance = new double[3];
            for (int c = 0; c < 3; c++) {
                expectedMean[c] = 0.7 * 0 + 0.3 * mean[c];
                expectedVariance[c] = 0.7 * 1 + 0.3 * variance[c];
            }
            RunningStats running = in.runningStats().orElseThrow();
            assertClose("running_mean", running.mean(), Tensor.wrap(expectedMean, Shape.of(3)));
            assertClose("running_var", running.variance(), Tensor.wrap(expectedVariance, Shape.of(3)));
            assertEquals(0, running.batchesTracked(), "InstanceNorm never counts batches, as in PyTorch");
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void evaluationWithTrackingNormalisesWithTheRunningStatisticsAndLeavesThemUnchanged(Face face) {
            NormLayer in = new InstanceNorm().create("instance_norm1d", TRACKED.withAffine(false));
            in.setFace(face);
            in.runningStats().orElseThrow().mean().copyFrom(Tensor.of(new double[] {1, 2, 3}, 3));
            in.runningStats().orElseThrow().variance().copyFrom(Tensor.of(new double[] {4, 0.25, 1}, 3));
            in.eval();
            Tensor x = input(2, 3, 4);
            Tensor y = in.forward(x);
            double[] v = x.toDoubleArray();
            double[] m = {1, 2, 3};
            double[] var = {4, 0.25, 1};
            double[] expected = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                int c = (i / 4) % 3;
                expected[i] = (v[i] - m[c]) / Math.sqrt(var[c] + 1e-5);
            }
            assertClose("y", y, Tensor.wrap(expected, x.shape()));
            assertArrayEquals(m, in.runningStats().get().mean().toDoubleArray());
            assertArrayEquals(var, in.runningStats().get().variance().toDoubleArray());
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void evaluationWithoutTrackingNormalisesWithTheInputsStatistics(Face face) {
            NormLayer in = new InstanceNorm().create("instance_norm2d", PLAIN);
            in.setFace(face);
            Tensor x = input(2, 3, 3, 3);
            Tensor train = in.forward(x);
            in.eval();
            assertClose("eval output", in.forward(x), train);
        }

        @Test
        void theStateDictUsesPyTorchsNames() {
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                    List.copyOf(new InstanceNorm().create("instance_norm3d", TRACKED).stateDict().keySet()));
        }
    }
}
