package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The edges of the matrix products (an empty inner dimension only scales C by beta, an empty output touches
 * nothing, a batch of products into one shared output accumulates) and of the window geometry (the largest padding
 * a pool allows, a window that does not fit, named with the padded size).
 */
class GemmAndWindowEdgesTest {

    @Nested
    class Products {
        @Test
        void anEmptyInnerDimensionScalesCByBetaInBothDtypes() {
            float[] c32 = {9, 1, 2, 3, 4, 5, 6, 7};
            Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, new float[0], 0, 0f, c32, 1);
            assertArrayEquals(new float[] {9, 0, 0, 0, 0, 5, 6, 7}, c32);
            Gemm.sgemm(false, false, 1, 3, 0, new float[0], 0, new float[0], 0, 2f, c32, 5);
            assertArrayEquals(new float[] {9, 0, 0, 0, 0, 10, 12, 14}, c32);

            double[] c64 = {9, 1, 2, 3, 4};
            Gemm.dgemm(false, false, 1, 2, 0, new double[0], 0, new double[0], 0, 3, c64, 2);
            assertArrayEquals(new double[] {9, 1, 6, 9, 4}, c64);
        }

        @Test
        void anEmptyOutputTouchesNothing() {
            float[] c32 = {1, 2};
            Gemm.sgemm(false, false, 0, 2, 3, new float[6], 0, new float[6], 0, 0f, c32, 0);
            Gemm.sgemm(false, false, 2, 0, 3, new float[6], 0, new float[6], 0, 0f, c32, 0);
            assertArrayEquals(new float[] {1, 2}, c32);
        }

        @Test
        void aBatchOfProductsIntoOneSharedOutputAccumulatesOverwritingWhatWasThere() {
            for (DType dtype : DType.values()) {
                Tensor a = Tensor.of(dtype, new double[] {1, 2, 3, 4, 5, 6, 7, 8}, Shape.of(2, 2, 2));
                Tensor b = Tensor.of(dtype, new double[] {1, 0, 2, 1}, Shape.of(2, 2));
                Tensor shared = Tensor.full(dtype, Shape.of(2, 2), 100);

                Gemm.batched(false, false, a, b, shared, 2, 2, 2, 2);

                // [[1,2],[3,4]]·[[1,0],[2,1]] = [[5,2],[11,4]]; [[5,6],[7,8]]·same = [[17,6],[23,8]]
                assertArrayEquals(new double[] {22, 8, 34, 12}, shared.toDoubleArray(), dtype.toString());

                Tensor each = Tensor.full(dtype, Shape.of(2, 2, 2), 100);
                Gemm.batched(false, false, a, b, each, 2, 2, 2, 2);
                assertArrayEquals(new double[] {5, 2, 11, 4, 17, 6, 23, 8}, each.toDoubleArray(), dtype.toString());
            }
        }
    }

    @Nested
    class Windows {
        @Test
        void aPoolMayPadByHalfItsKernelAndNoMore() {
            Shape input = Shape.of(1, 1, 4, 4);
            assertDoesNotThrow(() -> Window2d.forPooling("max_pool2d", input, 3, 1, 1));
            assertDoesNotThrow(() -> Window2d.forPooling("max_pool2d", input, 2, 2, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Window2d.forPooling("max_pool2d", input, 3, 1, 2));
            assertEquals("max_pool2d: padding 2 is more than half the kernel size 3; PyTorch allows at most kernel / 2 "
                    + "= 1 so that no window is all padding", e.getMessage());
        }

        @Test
        void aWindowThatDoesNotFitNamesThePaddedSize() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> Window2d.of("conv2d", Shape.of(1, 1, 3, 4), 6, 2, 1, 1));
            assertEquals("conv2d: the 6x2 window does not fit the input (1, 1, 3, 4) padded by 1 to 5x6; use a larger "
                    + "input, more padding or a smaller kernel", e.getMessage());
        }

        @Test
        void theOutputSizeCountsTheWindowsThatFit() {
            Window2d g = Window2d.of("conv2d", Shape.of(1, 1, 7, 6), 3, 2, 2, 1);
            assertEquals(List.of(4, 4), List.of(g.outH(), g.outW()));
        }
    }
}
