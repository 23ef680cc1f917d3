package org.normkit.core.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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
import org.normkit.core.NormBase;
import org.normkit.core.RunningStats;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;

/**
 * The family's public API used the way the variants and a plugin will use it: small InstanceNorm, GroupNorm,
 * LayerNorm and an uncentred, weight-only norm written against {@link NormBase} (a reference face, a layout, nothing else), held to the same
 * gradcheck and face agreement as BatchNorm. They are test doubles, not the real variants.
 */
class FamilyApiTest {

    /** Per (sample, channel) statistics, per-channel running statistics averaged over the batch. */
    static final class Instance extends NormBase {
        Instance(NormSpec spec) {
            super(spec, Shape.of(spec.numFeatures()), Affine.WEIGHT_AND_BIAS, RunningStats.Policy.MOMENTUM);
        }

        @Override
        protected void checkInput(Shape input) {
            input.requireRank("instance", "(N, C, L)", 3);
            input.requireSize(1, spec().numFeatures(), "instance", "channels");
        }

        @Override
        protected Layout layout(Shape s) {
            return Layout.rows(s.dim(0) * s.dim(1), s.dim(2), s.dim(1), 1, s.dim(2));
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
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
            return affine(x.sub(mean).mul(variance.add(spec().eps()).rsqrt()), 1, c, 1);
        }

        Tensor affine(Tensor y, int... perChannel) {
            return y.mul(weight().orElseThrow().reshape(perChannel)).add(bias().orElseThrow().reshape(perChannel));
        }
    }

    /** G contiguous groups of channels per sample. */
    static final class Group extends NormBase {
        private final int groups;

        Group(NormSpec spec) {
            super(spec, Shape.of(spec.numFeatures()), Affine.WEIGHT_AND_BIAS, RunningStats.Policy.NONE);
            this.groups = spec.requiredIntOption("groups", "groups=2");
        }

        @Override
        protected void checkInput(Shape input) {
            input.requireRank("group", "(N, C, L)", 3);
        }

        @Override
        protected Layout layout(Shape s) {
            int c = s.dim(1);
            return Layout.rows(s.dim(0) * groups, (c / groups) * s.dim(2), groups, c / groups, s.dim(2));
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            Tensor grouped = x.reshape(x.dim(0), groups, -1);
            Tensor mean = grouped.mean(new int[] {2}, true);
            Tensor variance = grouped.var(new int[] {2}, false, true);
            Tensor y = grouped.sub(mean).mul(variance.add(spec().eps()).rsqrt()).reshape(x.shape());
            int c = x.dim(1);
            return y.mul(weight().orElseThrow().reshape(1, c, 1)).add(bias().orElseThrow().reshape(1, c, 1));
        }
    }

    /** Statistics over the last dimension; γ, β per position. */
    static class Layer extends NormBase {
        Layer(NormSpec spec, Affine affine) {
            super(spec, Shape.of(spec.numFeatures()), affine, RunningStats.Policy.NONE);
        }

        Layer(NormSpec spec) {
            this(spec, Affine.WEIGHT_AND_BIAS);
        }

        @Override
        protected void checkInput(Shape input) {
            input.requireSize(-1, spec().numFeatures(), "layer", "features");
        }

        @Override
        protected Layout layout(Shape s) {
            return Layout.rows(s.numel() / s.dim(-1), s.dim(-1));
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            int last = x.rank() - 1;
            Tensor mean = x.mean(new int[] {last}, true);
            Tensor variance = x.var(new int[] {last}, false, true);
            return x.sub(mean).mul(variance.add(spec().eps()).rsqrt()).mul(weight().orElseThrow())
                    .add(bias().orElseThrow());
        }
    }

    /** A norm that scales by the root mean square: no centring, γ only; the fused face is the uncentred kernel. */
    static final class Uncentred extends Layer {
        Uncentred(NormSpec spec) {
            super(spec, Affine.WEIGHT_ONLY);
        }

        @Override
        protected Centering centering() {
            return Centering.UNCENTERED;
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            Tensor meanSquare = x.square().mean(new int[] {x.rank() - 1}, true);
            return x.mul(meanSquare.add(spec().eps()).rsqrt()).mul(weight().orElseThrow());
        }
    }

    static Stream<Arguments> norms() {
        Function<DType, NormSpec> instance = d -> NormSpec.of(3).withDtype(d).withMomentum(0.3);
        Function<DType, NormSpec> group = d -> NormSpec.of(6).withDtype(d).withOption("groups", "3");
        Function<DType, NormSpec> layer = d -> NormSpec.of(5).withDtype(d);
        return Stream.of(
                Arguments.of("instance", (Function<DType, Normalization>) d -> new Instance(instance.apply(d)),
                        Shape.of(2, 3, 4)),
                Arguments.of("group", (Function<DType, Normalization>) d -> new Group(group.apply(d)),
                        Shape.of(2, 6, 3)),
                Arguments.of("group S=1", (Function<DType, Normalization>) d -> new Group(group.apply(d)),
                        Shape.of(4, 6, 1)),
                Arguments.of("layer", (Function<DType, Normalization>) d -> new Layer(layer.apply(d)),
                        Shape.of(3, 2, 5)),
                Arguments.of("uncentred", (Function<DType, Normalization>) d -> new Uncentred(layer.apply(d)), Shape.of(4, 5)));
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
            Instance norm = new Instance(NormSpec.of(3).withDtype(DType.FLOAT64).withMomentum(1.0));
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
