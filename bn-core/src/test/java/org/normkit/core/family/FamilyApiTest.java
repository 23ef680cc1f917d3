package org.normkit.core.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.check.NormGradCheck;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStats;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;

/**
 * The family's public API used the way the variants and a plugin will use it: small InstanceNorm, GroupNorm,
 * LayerNorm and an uncentred, weight-only norm written against {@link Norm} (a contract preset, a reference face, a
 * layout, nothing else), held to the same gradcheck and face agreement as BatchNorm. They are test doubles, not the
 * real variants.
 */
class FamilyApiTest {

    /** Per (sample, channel) statistics, per-channel running statistics averaged over the batch. */
    static final class Instance extends Norm {
        Instance() {
            super("instance", "test double", ContractPreset.channelFirst(3));
        }

        @Override
        public RunningStatsPolicy runningStats() {
            return RunningStatsPolicy.pytorch().withoutCounting();
        }

        @Override
        public Layout layout(NormLayer layer, Shape s) {
            return Layout.rows(s.dim(0) * s.dim(1), s.dim(2), s.dim(1), 1, s.dim(2));
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            int c = x.dim(1);
            Tensor mean;
            Tensor variance;
            if (use instanceof Statistics.Running r) {
                mean = r.mean().reshape(1, c, 1);
                variance = r.variance().reshape(1, c, 1);
            } else {
                mean = x.mean(new int[] {2}, true);
                variance = x.var(new int[] {2}, false, true);
            }
            Tensor y = x.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt());
            return y.mul(layer.weight().orElseThrow().reshape(1, c, 1)).add(layer.bias().orElseThrow().reshape(1, c, 1));
        }
    }

    /** G contiguous groups of channels per sample. */
    static final class Group extends Norm {
        Group() {
            super("group", "test double", ContractPreset.channelFirst(3));
        }

        @Override
        public Map<String, String> options() {
            return Map.of("groups", "the number of groups");
        }

        @Override
        public Layout layout(NormLayer layer, Shape s) {
            int groups = layer.intOption("groups", 1);
            int c = s.dim(1);
            return Layout.rows(s.dim(0) * groups, (c / groups) * s.dim(2), groups, c / groups, s.dim(2));
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            Tensor grouped = x.reshape(x.dim(0), layer.intOption("groups", 1), -1);
            Tensor mean = grouped.mean(new int[] {2}, true);
            Tensor variance = grouped.var(new int[] {2}, false, true);
            Tensor y = grouped.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt()).reshape(x.shape());
            int c = x.dim(1);
            return y.mul(layer.weight().orElseThrow().reshape(1, c, 1)).add(layer.bias().orElseThrow().reshape(1, c, 1));
        }
    }

    /** Statistics over the last dimension; γ, β per position. */
    static class Layer extends Norm {
        Layer() {
            super("layer", "test double", ContractPreset.trailing());
        }

        @Override
        public Layout layout(NormLayer layer, Shape s) {
            return Layout.rows(s.numel() / s.dim(-1), s.dim(-1));
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            int last = x.rank() - 1;
            Tensor mean = x.mean(new int[] {last}, true);
            Tensor variance = x.var(new int[] {last}, false, true);
            return x.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt()).mul(layer.weight().orElseThrow())
                    .add(layer.bias().orElseThrow());
        }
    }

    /** A norm that scales by the root mean square: no centring, γ only; the fused face is the uncentred kernel. */
    static final class Uncentred extends Layer {
        @Override
        public Centering centering() {
            return Centering.UNCENTERED;
        }

        @Override
        public Affine affine() {
            return Affine.WEIGHT_ONLY;
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            Tensor meanSquare = x.square().mean(new int[] {x.rank() - 1}, true);
            return x.mul(meanSquare.add(layer.spec().eps()).rsqrt()).mul(layer.weight().orElseThrow());
        }
    }

    static Stream<Arguments> norms() {
        Function<DType, NormSpec> instance = d -> NormSpec.of(3).withDtype(d).withMomentum(0.3);
        Function<DType, NormSpec> group = d -> NormSpec.of(6).withDtype(d).withOption("groups", "3");
        Function<DType, NormSpec> layer = d -> NormSpec.of(5).withDtype(d);
        return Stream.of(
                Arguments.of("instance", (Function<DType, Normalization>) d -> new Instance().create(instance.apply(d)),
                        Shape.of(2, 3, 4)),
                Arguments.of("group", (Function<DType, Normalization>) d -> new Group().create(group.apply(d)),
                        Shape.of(2, 6, 3)),
                Arguments.of("group S=1", (Function<DType, Normalization>) d -> new Group().create(group.apply(d)),
                        Shape.of(4, 6, 1)),
                Arguments.of("layer", (Function<DType, Normalization>) d -> new Layer().create(layer.apply(d)),
                        Shape.of(3, 2, 5)),
                Arguments.of("uncentred", (Function<DType, Normalization>) d -> new Uncentred().create(layer.apply(d)), Shape.of(4, 5)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("norms")
    void facesAgreeInBothModesAndDtypes(String name, Function<DType, Normalization> factory, Shape shape) {
        for (DType dtype : DType.values()) {
            for (boolean training : new boolean[] {true, false}) {
                FaceAgreement.Report report = FaceAgreement.check(name, () -> factory.apply(dtype), shape, training, 9);
                assertTrue(report.passed(), report.describe());
                assertTrue(report.hasFusedFace());
            }
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("norms")
    void referenceFacePassesGradcheck(String name, Function<DType, Normalization> factory, Shape shape) {
        for (boolean training : new boolean[] {true, false}) {
            Normalization layer = factory.apply(DType.FLOAT64);
            layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), 5));
            layer.train(training);
            GradCheck.Report report = NormGradCheck.check(layer, Tensor.randn(DType.FLOAT64, shape, 6), 7);
            assertTrue(report.passed(), report.describe());
        }
    }

    @Test
    void instanceRunningStatisticsAverageThePerInstanceUnbiasedStatisticsOverTheBatch() {
        Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(2, 3, 4), 3);
        for (boolean fused : new boolean[] {false, true}) {
            NormLayer norm = new Instance().create(NormSpec.of(3).withDtype(DType.FLOAT64).withMomentum(1.0));
            norm.setFace(fused ? org.normkit.autograd.spi.Face.FUSED
                    : org.normkit.autograd.spi.Face.REFERENCE);
            norm.forward(x);
            RunningStats r = norm.runningStats().orElseThrow();
            for (int c = 0; c < 3; c++) {
                double meanOfMeans = 0;
                double meanOfVariances = 0;
                for (int n = 0; n < 2; n++) {
                    double[] v = new double[4];
                    for (int l = 0; l < 4; l++) {
                        v[l] = x.at(n, c, l);
                    }
                    double m = Arrays.stream(v).average().orElseThrow();
                    meanOfMeans += m / 2;
                    meanOfVariances += Arrays.stream(v).map(e -> (e - m) * (e - m)).sum() / 3 / 2;
                }
                assertEquals(meanOfMeans, r.mean().get(c), 1e-12);
                assertEquals(meanOfVariances, r.variance().get(c), 1e-12);
            }
            assertEquals(0, r.batchesTracked(), "InstanceNorm never counts");
        }
    }
}
