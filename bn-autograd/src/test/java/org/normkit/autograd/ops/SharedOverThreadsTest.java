package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.optim.Adam;
import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The loops of a training step that share their work over {@link KernelThreads} (sigmoid and exp, the sigmoid's
 * backward, 2×2 average pooling, Adam) give the same bits on one thread and on three (convolutions:
 * {@code ConvolutionOverThreadsTest}). The inputs are small,
 * so the pool's threshold is lowered to 0 to send every call through it.
 */
class SharedOverThreadsTest {
    private int threadsBefore;

    @BeforeEach
    void everyCallUsesThePool() {
        threadsBefore = KernelThreads.get();
        KernelThreads.shareEveryCall(true);
    }

    @AfterEach
    void restore() {
        KernelThreads.set(threadsBefore);
        KernelThreads.shareEveryCall(false);
    }

    /** Runs {@code results} on one thread and on three and asserts every array bit for bit. */
    private static void sameBitsOnOneAndThreeThreads(Supplier<List<double[]>> results) {
        KernelThreads.set(1);
        List<double[]> one = results.get();
        KernelThreads.set(3);
        List<double[]> three = results.get();
        for (int i = 0; i < one.size(); i++) {
            assertArrayEquals(one.get(i), three.get(i), "result " + i + " differs between 1 and 3 threads");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FLOAT32", "FLOAT64"})
    void sigmoidExpPoolingAndTheirGradientsGiveTheSameBitsOnAnyThreadCount(DType dtype) {
        sameBitsOnOneAndThreeThreads(() -> {
            // Two blocks and a ragged tail of KernelThreads.RANGE_BLOCK, so the vector loops start mid-array.
            Tensor x = Tensor.randn(dtype, Shape.of(9, 3, 48, 51), 5).requiresGrad(true);
            Tensor pooled = Pooling.avgPool2d(x.sigmoid(), 2, 2, 0);
            Tensor exp = x.mul(0.5).exp();
            pooled.mul(Tensor.randn(dtype, pooled.shape(), 6)).sum().add(exp.sum()).backward();
            return List.of(pooled.toDoubleArray(), exp.toDoubleArray(), x.grad().toDoubleArray());
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FLOAT32", "FLOAT64"})
    void adamStepsGiveTheSameBitsOnAnyThreadCount(DType dtype) {
        sameBitsOnOneAndThreeThreads(() -> {
            Parameter p = new Parameter(Tensor.randn(dtype, Shape.of(3 * KernelThreads.RANGE_BLOCK + 17), 7));
            Adam adam = new Adam(List.of(p), 1e-2);
            List<double[]> steps = new ArrayList<>();
            for (int step = 0; step < 3; step++) {
                adam.zeroGrad();
                p.value().square().mul(Tensor.randn(dtype, p.value().shape(), 8 + step)).sum().backward();
                adam.step();
                steps.add(p.value().toDoubleArray());
            }
            return steps;
        });
    }
}
