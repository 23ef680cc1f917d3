package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.core.kernel.KernelCases.gradOutput;
import static org.normkit.core.kernel.KernelCases.input;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * BatchNorm's streaming passes ({@link ChannelsKernel#streams}): when a channel is larger than a block, the moments,
 * the normalisation and the backward's passes walk x plane by plane in memory order instead of channel by channel.
 * Where a plane is longer than a moment piece the pieces are the channel walk's own, so the streaming moments and
 * backward sums must be its bits, not merely close to them.
 */
class StreamingPlanesTest {

    /** Channels larger than a block, planes longer than a piece: two pieces a plane, the last one short. */
    private static final Layout LONG_PLANES = Layout.channels(12, 3, 3000);
    /** Planes of exactly two pieces, one channel of 16 samples. */
    private static final Layout TWO_PIECE_PLANES = Layout.channels(16, 1, 2 * NormKernel.CHUNK);

    static Stream<Arguments> longPlanes() {
        return KernelCases.withEveryCenteringAndDtype(LONG_PLANES, TWO_PIECE_PLANES);
    }

    @Test
    void aChannelLargerThanABlockStreamsAndOthersWalkTheirChannels() {
        assertTrue(kernel(Layout.channels(32, 64, 56 * 56)).streams(), "BatchNorm2d 32x64x56x56");
        assertTrue(kernel(Layout.channels(40, 2, 1000)).streams(), "planes shorter than a piece");
        assertFalse(kernel(Layout.channels(8, 256, 14 * 14)).streams(), "BatchNorm2d 8x256x14x14: 1,568 a channel");
        assertFalse(kernel(Layout.channels(16, 8, 1024)).streams(), "16,384 a channel");
        assertFalse(kernel(Layout.channels(65536, 4, 1)).streams(), "(N, C): the rows run across the channels");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("longPlanes")
    void theStreamedMomentsAreTheBitsOfTheChannelWalk(Layout layout, Centering centering, DType dtype) {
        ChannelsKernel k = kernel(layout);
        Elements x = Elements.of(input(layout, dtype));
        boolean centered = centering == Centering.CENTERED;
        int sets = layout.sets();
        double[] walkMean = new double[sets];
        double[] walkVariance = new double[sets];
        ChannelsKernel.Pieces pieces = ChannelsKernel.Pieces.of(KernelScratch.ofThread(), sets);
        for (int block = 0; block < k.blocks(); block++) {
            k.moments(x, centered, block, walkMean, walkVariance, pieces);
        }
        double[] mean = new double[sets];
        double[] variance = new double[sets];
        ChannelsKernel.Pieces planes = ChannelsKernel.Pieces.ofPlanes(KernelScratch.ofThread(), k.planePieceCount());
        for (int block = k.planeBlocks() - 1; block >= 0; block--) {
            k.planePieces(x, centered, block, planes);
        }
        k.mergePlanePieces(centered, 0, sets, planes, mean, variance);
        assertArrayEquals(walkMean, mean, "mean");
        assertArrayEquals(walkVariance, variance, "variance");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("longPlanes")
    void theStreamedBackwardSumsAreTheBitsOfTheChannelWalk(Layout layout, Centering centering, DType dtype) {
        ChannelsKernel k = kernel(layout);
        Elements x = Elements.of(input(layout, dtype));
        Elements g = Elements.of(gradOutput(layout, dtype));
        int sets = layout.sets();
        double[] mean = NormKernel.moments(layout, centering, input(layout, dtype)).mean();
        double[] walkG = new double[sets];
        double[] walkGX = new double[sets];
        for (int block = 0; block < k.blocks(); block++) {
            k.gradSums(x, g, block, mean, walkG, walkGX);
        }
        int planes = layout.numel() / ((Layout.Channels) layout).spatial();
        double[] planeG = new double[planes];
        double[] planeGX = new double[planes];
        for (int block = 0; block < k.planeBlocks(); block++) {
            k.planeGradSums(x, g, block, mean, planeG, planeGX);
        }
        double[] sumG = new double[sets];
        double[] sumGX = new double[sets];
        k.sumPlaneGrads(planeG, planeGX, sumG, sumGX);
        assertArrayEquals(walkG, sumG, "sum of g");
        assertArrayEquals(walkGX, sumGX, "sum of g·(x − mean)");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("longPlanes")
    void theStreamedNormalisationIsTheBitsOfTheChannelWalk(Layout layout, Centering centering, DType dtype) {
        ChannelsKernel k = kernel(layout);
        Tensor xt = input(layout, dtype);
        Elements x = Elements.of(xt);
        boolean mirror = dtype == DType.FLOAT32;
        Coefficients mean = Coefficients.of(NormKernel.moments(layout, centering, xt).mean(), mirror);
        Coefficients scale = Coefficients.of(KernelCases.gamma(layout, dtype).toDoubleArray(), mirror);
        Coefficients shift = Coefficients.of(KernelCases.beta(layout, dtype).toDoubleArray(), mirror);
        Tensor walk = Tensor.zeros(dtype, xt.shape());
        Tensor streamed = Tensor.zeros(dtype, xt.shape());
        for (int block = 0; block < k.blocks(); block++) {
            k.normalize(x, Elements.of(walk), block, mean, scale, shift);
        }
        for (int block = 0; block < k.planeBlocks(); block++) {
            k.normalizePlanes(x, Elements.of(streamed), block, mean, scale, shift);
        }
        assertArrayEquals(walk.toDoubleArray(), streamed.toDoubleArray());
    }

    private static ChannelsKernel kernel(Layout layout) {
        return new ChannelsKernel((Layout.Channels) layout);
    }
}
