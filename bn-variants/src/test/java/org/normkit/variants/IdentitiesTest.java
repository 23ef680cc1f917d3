package org.normkit.variants;

import static org.normkit.variants.Close.assertClose;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.core.NormLayer;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.variants.group.GroupNorm;
import org.normkit.variants.instance.InstanceNorm;
import org.normkit.variants.layer.LayerNorm;

/**
 * docs/conformance-format.md 4.1: GroupNorm with G = 1 has LayerNorm's statistics over (C, H, W), and with G = C InstanceNorm's. With
 * the affine maps off (they differ: per channel against per element), outputs, input gradients and saved statistics
 * agree, on both faces.
 */
class IdentitiesTest {
    private static final Shape SHAPE = Shape.of(3, 4, 5, 6);
    private static final Tensor X = Tensor.randn(DType.FLOAT64, SHAPE, 2024).mul(2.0).add(1.0);
    private static final Tensor GRAD = Tensor.randn(DType.FLOAT64, SHAPE, 2025);

    private static NormSpec plain(int numFeatures) {
        return NormSpec.of(numFeatures).withDtype(DType.FLOAT64).withAffine(false).withTrackRunningStats(false);
    }

    private static NormLayer groupNorm(int groups) {
        return new GroupNorm().create(plain(4).withOption("groups", Integer.toString(groups)));
    }

    @ParameterizedTest
    @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
    void groupNormWithOneGroupIsLayerNormOverCHW(Face face) {
        assertSameNormalisation(groupNorm(1), new LayerNorm().create(plain(4 * 5 * 6).withOption("normalized_shape", "4,5,6")),
                face);
    }

    @ParameterizedTest
    @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
    void groupNormWithOneGroupPerChannelIsInstanceNorm(Face face) {
        assertSameNormalisation(groupNorm(4), new InstanceNorm().create("instance_norm2d", plain(4)), face);
        assertSameNormalisation(groupNorm(4), new InstanceNorm().create(plain(4)), face);
    }

    @Test
    void savedStatisticsOfOneGroupAreLayerNormsAndOfCGroupsInstanceNorms() {
        assertSameSavedStatistics(groupNorm(1), new LayerNorm().create(plain(120).withOption("normalized_shape", "4,5,6")));
        assertSameSavedStatistics(groupNorm(4), new InstanceNorm().create("instance_norm2d", plain(4)));
    }

    private static void assertSameNormalisation(Normalization group, Normalization other, Face face) {
        group.setFace(face);
        other.setFace(face);
        Tensor xGroup = X.copy().requiresGrad(true);
        Tensor xOther = X.copy().requiresGrad(true);
        Tensor yGroup = group.forward(xGroup);
        Tensor yOther = other.forward(xOther);
        yGroup.backward(GRAD);
        yOther.backward(GRAD);
        assertClose(face + " output", yGroup, yOther);
        assertClose(face + " gradInput", xGroup.grad(), xOther.grad());
    }

    /** The fused face's saved mean and rstd, and the reference face's, set for set. */
    private static void assertSameSavedStatistics(Normalization group, Normalization other) {
        FusedNorm.Saved g = group.fused().orElseThrow().forward(X, null, null, Statistics.batch(),
                Tensor.zeros(DType.FLOAT64, SHAPE));
        FusedNorm.Saved o = other.fused().orElseThrow().forward(X, null, null, Statistics.batch(),
                Tensor.zeros(DType.FLOAT64, SHAPE));
        assertClose("saved mean", g.mean(), o.mean());
        assertClose("saved rstd", g.rstd(), o.rstd());
        FusedNorm.Saved gr = group.referenceStatistics(X, Statistics.batch()).orElseThrow();
        FusedNorm.Saved or = other.referenceStatistics(X, Statistics.batch()).orElseThrow();
        assertClose("reference mean", gr.mean(), or.mean());
        assertClose("reference rstd", gr.rstd(), or.rstd());
    }
}
