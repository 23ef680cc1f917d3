package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The ops' refusals, each at its edge (the last accepted value, the first refused one) with the message that names
 * it, and a convolution asked for only one of its two gradients.
 */
class OpRefusalsAndEdgesTest {

    @Test
    void sequenceMasksNeedAtLeastOneStep() {
        assertArrayEquals(new double[] {1}, Masks.causal(1, DType.FLOAT64).toDoubleArray());
        assertEquals("causal mask: 0 steps; a sequence mask needs at least one step",
                assertThrows(ShapeException.class, () -> Masks.causal(0, DType.FLOAT64)).getMessage());
        assertArrayEquals(new double[] {1, 0}, Masks.padding(new int[] {1, 0}, 1, DType.FLOAT64).toDoubleArray());
        assertEquals("padding mask: 0 steps; a sequence mask needs at least one step",
                assertThrows(ShapeException.class, () -> Masks.padding(new int[] {0}, 0, DType.FLOAT64)).getMessage());
    }

    @Test
    void rowsAreGatheredAndScatteredOnlyFromTensorsWithRowsAndOnlyAtRows() {
        Tensor scalar = Tensor.scalar(1, DType.FLOAT64);
        assertEquals("gatherRows: needs a tensor with at least one axis (its rows), got a scalar",
                assertThrows(ShapeException.class, () -> Indexing.gatherRows(scalar, new int[] {0})).getMessage());
        assertEquals("scatterRows: needs a tensor with at least one axis (its rows), got a scalar",
                assertThrows(ShapeException.class, () -> Indexing.scatterRows(scalar, new int[] {0}, 1)).getMessage());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Indexing.scatterRows(Tensor.ones(DType.FLOAT64, 2, 3), new int[] {0, 2}, 2));
        assertTrue(e.getMessage().startsWith("scatterRows: index 2 at position 1 is not a row of (2, 3)"),
                e.getMessage());
        for (DType dtype : DType.values()) {
            Tensor table = Tensor.of(dtype, new double[] {1, 2, 3, 4, 5, 6}, Shape.of(3, 2));
            assertArrayEquals(new double[] {5, 6, 1, 2, 5, 6},
                    Indexing.gatherRows(table, new int[] {2, 0, 2}).toDoubleArray(), dtype.toString());
            assertArrayEquals(new double[] {1, 2, 0, 0, 8, 10},
                    Indexing.scatterRows(table, new int[] {0, 2, 2}, 3).toDoubleArray(), dtype.toString());
        }
    }

    @Test
    void theLossesCheckTheirTargets() {
        Tensor logProbs = Tensor.of(new double[] {-1, -2, -3, -4}, 2, 2);
        assertEquals((2 + 3) / 2.0, Losses.nll(logProbs, new int[] {1, 0}).item(), 1e-15);
        assertEquals("nll: target 2 at position 1 is not a class index in [0, 2)",
                assertThrows(IllegalArgumentException.class, () -> Losses.nll(logProbs, new int[] {0, 2})).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.nll(logProbs, new int[] {-1, 0}));
        Tensor prediction = Tensor.of(new double[] {1, 2, 4}, 3);
        assertEquals((1 + 0 + 4) / 3.0, Losses.mse(prediction, Tensor.of(new double[] {0, 2, 2}, 3)).item(), 1e-15);
        assertEquals("mse: the target has shape (2) but (3) was expected", assertThrows(ShapeException.class,
                () -> Losses.mse(prediction, Tensor.of(new double[] {0, 2}, 2))).getMessage());
    }

    @Test
    void narrowTakesARangeThatEndsAtTheAxisEndAndNoFurther() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
        assertArrayEquals(new double[] {2, 3}, x.narrow(0, 1, 2).toDoubleArray());
        assertEquals("narrow: range [2, 4) is outside axis 0 of size 3 in shape (3)",
                assertThrows(ShapeException.class, () -> x.narrow(0, 2, 2)).getMessage());
    }

    @Test
    void reshapeInfersOneSizeInAnyPositionAndRefusesTwo() {
        Tensor x = Tensor.zeros(DType.FLOAT64, 6);
        assertEquals(Shape.of(3, 2), x.reshape(-1, 2).shape());
        assertEquals(Shape.of(2, 3), x.reshape(2, -1).shape());
        assertEquals("reshape: only one size may be -1, got [-1, -1]",
                assertThrows(ShapeException.class, () -> x.reshape(-1, -1)).getMessage());
    }

    @Test
    void concatRefusesPartsOfAnotherRank() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> Tensor.concat(0, Tensor.zeros(DType.FLOAT64, 2), Tensor.zeros(DType.FLOAT64, 1, 2)));
        assertEquals("concat: tensors of shapes (2) and (1, 2) have different ranks", e.getMessage());
    }

    @Test
    void convolutionAndPoolingNeedFourDimensionalInputs() {
        Tensor image = Tensor.zeros(DType.FLOAT64, 1, 4, 4);
        assertEquals("conv2d: expected a 4-d input (N, C, H, W), got 3-d input of shape (1, 4, 4)",
                assertThrows(ShapeException.class,
                        () -> image.conv2d(Tensor.zeros(DType.FLOAT64, 1, 1, 2, 2), null, 1, 0)).getMessage());
        assertEquals("avgPool2d: expected a 4-d input (N, C, H, W), got 3-d input of shape (1, 4, 4)",
                assertThrows(ShapeException.class, () -> image.avgPool2d(2, 2, 0)).getMessage());
    }

    @Test
    void aConvolutionComputesEachGradientAskedForAlone() {
        for (DType dtype : DType.values()) {
            Tensor x = Tensor.uniform(dtype, Shape.of(2, 2, 5, 5), -1, 1, 1);
            Tensor w = Tensor.uniform(dtype, Shape.of(3, 2, 3, 3), -1, 1, 2);
            Tensor g = Tensor.uniform(dtype, Shape.of(2, 3, 3, 3), -1, 1, 3);

            Tensor bothX = x.copy().requiresGrad(true);
            Tensor bothW = w.copy().requiresGrad(true);
            bothX.conv2d(bothW, null, 1, 0).backward(g);

            Tensor onlyX = x.copy().requiresGrad(true);
            onlyX.conv2d(w, null, 1, 0).backward(g);
            Tensor onlyW = w.copy().requiresGrad(true);
            x.conv2d(onlyW, null, 1, 0).backward(g);

            assertArrayEquals(bothX.grad().toDoubleArray(), onlyX.grad().toDoubleArray(), dtype + " input gradient");
            assertArrayEquals(bothW.grad().toDoubleArray(), onlyW.grad().toDoubleArray(), dtype + " weight gradient");
        }
    }
}
