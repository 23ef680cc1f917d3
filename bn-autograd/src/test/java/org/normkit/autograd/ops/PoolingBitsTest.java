package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Pooling's results bit for bit, as the loops computed them when {@code PoolingLoops} was a float32/float64 pair kept
 * by hand (5042568): the template both are generated from now must add in the same order and round at the same
 * places. {@code AveragePoolingOracleTest} holds the values to the definition within a tolerance; this test pins
 * the last bit of every output and input gradient, average and max pooling, each path of the loops (float32's 2×2
 * tiles, general windows with padding counted or not), both dtypes. A fingerprint changes when any bit does.
 */
class PoolingBitsTest {

    /** Folds the bits of every element (a float32 value widened to double exactly) into {@code h}. */
    private static long fingerprint(long h, Tensor t) {
        for (int i = 0; i < t.numel(); i++) {
            h = h * 1_000_003L ^ Double.doubleToRawLongBits(t.get(i));
        }
        return h;
    }

    private static long poolingFingerprint(DType dtype, int batch, int channels, int h, int w, int kernel, int stride,
                                           int padding, boolean countPadding) {
        int outH = (h + 2 * padding - kernel) / stride + 1;
        int outW = (w + 2 * padding - kernel) / stride + 1;
        Shape in = Shape.of(batch, channels, h, w);
        Shape out = Shape.of(batch, channels, outH, outW);
        Tensor grad = Tensor.randn(dtype, out, 22);

        Tensor x = Tensor.randn(dtype, in, 21).requiresGrad(true);
        Tensor average = Pooling.avgPool2d(x, kernel, stride, padding, countPadding);
        average.backward(grad);
        long f = fingerprint(fingerprint(17, average), x.grad());

        Tensor y = Tensor.randn(dtype, in, 21).requiresGrad(true);
        Tensor max = Pooling.maxPool2d(y, kernel, stride, padding);
        max.backward(grad);
        return fingerprint(fingerprint(f, max), y.grad());
    }

    @ParameterizedTest(name = "{0} {1}x{2} planes of {3}x{4}, kernel {5}, stride {6}, padding {7}, counted {8}")
    @CsvSource({
        "FLOAT32, 4, 6, 28, 28, 2, 2, 0, true, 4103538341105672977",   // LeNet's first pooling: float32's tiles
        "FLOAT64, 4, 6, 28, 28, 2, 2, 0, true, 1209677623386189418",
        "FLOAT32, 2, 3, 5, 7, 2, 2, 0, true, -5294760972699478655",      // tiles with a row and a column left over
        "FLOAT64, 2, 3, 5, 7, 2, 2, 0, true, 9000702170517709167",
        "FLOAT32, 2, 2, 9, 8, 3, 2, 1, true, -795454214279504495",      // general windows, padding counted
        "FLOAT64, 2, 2, 9, 8, 3, 2, 1, true, -4062101701413858292",
        "FLOAT32, 2, 2, 9, 8, 3, 2, 1, false, 7594637271182630289",     // padding not counted
        "FLOAT64, 2, 2, 9, 8, 3, 2, 1, false, -987158116347474963",
        "FLOAT32, 1, 3, 6, 5, 2, 1, 0, true, -7338299392346157439",      // overlapping windows
        "FLOAT64, 1, 3, 6, 5, 2, 1, 0, true, 5871986166935592532"})
    void outputsAndGradientsKeepTheBitsOfTheHandKeptPair(DType dtype, int batch, int channels, int h, int w,
                                                         int kernel, int stride, int padding, boolean countPadding,
                                                         long expected) {
        assertEquals(expected, poolingFingerprint(dtype, batch, channels, h, w, kernel, stride, padding,
                countPadding));
    }
}
