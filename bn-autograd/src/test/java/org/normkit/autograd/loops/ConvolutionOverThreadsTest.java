package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * A convolution shares its images over {@link KernelThreads} in {@link ImageChunks} and gives the same bits on one
 * thread and on three: the output, ∂L/∂x and ∂L/∂W (summed per chunk, then in chunk order). The inputs are small, so
 * the pool's threshold is lowered to 0, and the chunks go to the pool even where the tests' BLAS runs threads of its
 * own.
 */
class ConvolutionOverThreadsTest {
    private int threadsBefore;

    @BeforeEach
    void everyCallUsesThePool() {
        threadsBefore = KernelThreads.get();
        KernelThreads.shareEveryCall(true);
        ImageChunks.poolEvenWithAThreadedBlas(true);
    }

    @AfterEach
    void restore() {
        KernelThreads.set(threadsBefore);
        KernelThreads.shareEveryCall(false);
        ImageChunks.poolEvenWithAThreadedBlas(false);
    }

    private static List<double[]> convolve(DType dtype, int batch, int channels, int outChannels, int size,
                                           int kernel, int stride, int padding) {
        Tensor x = Tensor.randn(dtype, Shape.of(batch, channels, size, size), 1);
        Tensor w = Tensor.randn(dtype, Shape.of(outChannels, channels, kernel, kernel), 2);
        Tensor b = Tensor.randn(dtype, Shape.of(outChannels), 3);
        Window2d window = Window2d.of("conv2d", x.shape(), kernel, kernel, stride, padding);
        ConvolutionLoops loops = new ConvolutionLoops(batch, channels, outChannels, window);
        Tensor out = Tensor.zeros(dtype, Shape.of(batch, outChannels, window.outH(), window.outW()));
        loops.forward(x, w, b, out);
        Tensor grad = Tensor.randn(dtype, out.shape(), 4);
        Tensor gx = Tensor.zeros(dtype, x.shape());
        Tensor gw = Tensor.zeros(dtype, w.shape());
        loops.gradients(x, w, grad, gx, gw);
        return List.of(out.toDoubleArray(), gx.toDoubleArray(), gw.toDoubleArray());
    }

    @ParameterizedTest(name = "{0} {1}x{2}->{3} on {4}x{4}, kernel {5}, stride {6}, padding {7}")
    @CsvSource({
        "FLOAT32, 37, 1, 6, 28, 5, 1, 2",   // LeNet's first convolution: shifted planes, many blocks
        "FLOAT32, 19, 6, 16, 14, 5, 1, 0",  // LeNet's second
        "FLOAT32, 11, 3, 4, 9, 3, 2, 1",    // stride 2: im2col
        "FLOAT64, 13, 3, 5, 8, 3, 1, 1",    // float64: im2col with padding
        "FLOAT64, 10, 4, 3, 6, 1, 1, 0",    // pointwise: no column matrix
        "FLOAT32, 1, 2, 3, 7, 3, 1, 0"})    // one image: one chunk
    void resultsDoNotDependOnTheThreadCount(DType dtype, int batch, int channels, int outChannels, int size,
                                            int kernel, int stride, int padding) {
        KernelThreads.set(1);
        List<double[]> one = convolve(dtype, batch, channels, outChannels, size, kernel, stride, padding);
        KernelThreads.set(3);
        List<double[]> three = convolve(dtype, batch, channels, outChannels, size, kernel, stride, padding);

        List<String> names = List.of("output", "input gradient", "weight gradient");
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.get(i), three.get(i), names.get(i) + " differs between 1 and 3 threads");
        }
    }
}
