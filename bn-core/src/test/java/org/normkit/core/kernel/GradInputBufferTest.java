package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The backward into a caller's ∂L/∂x buffer: the same values, bit for bit, as the backward into a fresh tensor,
 * whatever the buffer held before (every element is written), for every layout and both dtypes; and the buffers it
 * refuses.
 */
class GradInputBufferTest {

    static Stream<Arguments> layouts() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : DType.values()) {
            b.add(Arguments.of("batch (N, C)", Layout.channels(6, 37, 1), Shape.of(6, 37), 37, dtype));
            b.add(Arguments.of("batch (N, C, S)", Layout.channels(3, 5, 41), Shape.of(3, 5, 41), 5, dtype));
            b.add(Arguments.of("layer", Layout.rows(7, 53), Shape.of(7, 53), 53, dtype));
            b.add(Arguments.of("group", Layout.rows(2 * 3, 4 * 9, 3, 4, 9), Shape.of(2, 12, 9), 12, dtype));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {4}")
    @MethodSource("layouts")
    void aGivenBufferGetsExactlyTheFreshGradient(String norm, Layout layout, Shape shape, int affine, DType dtype) {
        Random random = new Random(16);
        Tensor x = random(dtype, shape, random);
        Tensor g = random(dtype, shape, random);
        Tensor gamma = random(dtype, Shape.of(affine), random);
        Tensor beta = random(dtype, Shape.of(affine), random);
        for (boolean batch : new boolean[] {true, false}) {
            Statistics use = batch ? Statistics.batch()
                    : Statistics.running(random(DType.FLOAT64, Shape.of(layout.sets()), random),
                            Tensor.of(DType.FLOAT64, filled(layout.sets(), 0.7), Shape.of(layout.sets())));
            FusedNorm.Saved saved = NormKernel.forward(layout, Centering.CENTERED, 1e-5, x, gamma, beta, use,
                    Tensor.zeros(dtype, shape));
            FusedNorm.Gradients fresh = NormKernel.backward(layout, Centering.CENTERED, g, x, saved, gamma,
                    FusedNorm.GradMask.all());
            Tensor buffer = Tensor.of(dtype, filled(shape.numel(), Double.NaN), shape);
            FusedNorm.Gradients given = NormKernel.backward(layout, Centering.CENTERED, g, x, saved, gamma,
                    FusedNorm.GradMask.all(), buffer);
            assertSame(buffer, given.input());
            assertArrayEquals(fresh.input().toDoubleArray(), buffer.toDoubleArray(), 0.0, norm + ", batch " + batch);
            assertArrayEquals(fresh.weight().toDoubleArray(), given.weight().toDoubleArray(), 0.0);
            assertArrayEquals(fresh.bias().toDoubleArray(), given.bias().toDoubleArray(), 0.0);
        }
    }

    @Test
    void aFaceWithoutItsOwnBufferedBackwardCopiesIntoTheBuffer() {
        NormKernel kernel = NormKernel.of(Centering.CENTERED, 1e-5, s -> Layout.rows(4, 8));
        FusedNorm plain = new FusedNorm() {
            @Override
            public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
                return kernel.forward(x, gamma, beta, use, out);
            }

            @Override
            public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
                return kernel.backward(gradOutput, x, saved, gamma, mask);
            }
        };
        Random random = new Random(3);
        Tensor x = random(DType.FLOAT32, Shape.of(4, 8), random);
        Tensor g = random(DType.FLOAT32, Shape.of(4, 8), random);
        FusedNorm.Saved saved = plain.forward(x, null, null, Statistics.batch(), Tensor.zeros(DType.FLOAT32, 4, 8));
        Tensor buffer = Tensor.zeros(DType.FLOAT32, 4, 8);
        FusedNorm.Gradients given = plain.backward(g, x, saved, null, new FusedNorm.GradMask(true, false, false),
                buffer);
        assertSame(buffer, given.input());
        assertArrayEquals(kernel.backward(g, x, saved, null, new FusedNorm.GradMask(true, false, false)).input()
                .toDoubleArray(), buffer.toDoubleArray(), 0.0);
    }

    @Test
    void theBufferMustHaveTheInputsShapeAndDtypeAndStorageOfItsOwn() {
        Layout layout = Layout.rows(2, 3);
        Tensor x = Tensor.of(DType.FLOAT64, new double[] {1, 2, 4, 8, 16, 32}, Shape.of(2, 3));
        Tensor g = Tensor.of(DType.FLOAT64, new double[] {1, -1, 2, -2, 3, -3}, Shape.of(2, 3));
        FusedNorm.Saved saved = NormKernel.forward(layout, Centering.CENTERED, 1e-5, x, null, null,
                Statistics.batch(), Tensor.zeros(DType.FLOAT64, 2, 3));
        FusedNorm.GradMask dxOnly = new FusedNorm.GradMask(true, false, false);
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> NormKernel.backward(
                layout, Centering.CENTERED, g, x, saved, null, dxOnly, Tensor.zeros(DType.FLOAT32, 2, 3)));
        assertEquals("normalize backward: the input-gradient tensor is float32 but the input is float64: allocate "
                + "it with the input's dtype", dtype.getMessage());
        assertThrows(RuntimeException.class, () -> NormKernel.backward(layout, Centering.CENTERED, g, x, saved, null,
                dxOnly, Tensor.zeros(DType.FLOAT64, 3, 2)));
        IllegalArgumentException aliased = assertThrows(IllegalArgumentException.class, () -> NormKernel.backward(
                layout, Centering.CENTERED, g, x, saved, null, dxOnly, g.viewAs(Shape.of(2, 3))));
        assertTrue(aliased.getMessage().startsWith("normalize backward: the input-gradient tensor shares its "
                + "storage with the output gradient"), aliased.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> NormKernel.backward(
                layout, Centering.CENTERED, g, x, saved, null, dxOnly, null));
        assertTrue(missing.getMessage().startsWith("normalize backward: the mask asks for the input gradient"));
    }

    private static Tensor random(DType dtype, Shape shape, Random random) {
        double[] v = new double[shape.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        return Tensor.of(dtype, v, shape);
    }

    private static double[] filled(int n, double value) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, value);
        return v;
    }
}
