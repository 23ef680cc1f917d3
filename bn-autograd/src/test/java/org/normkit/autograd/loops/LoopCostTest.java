package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.tensor.DType;

/**
 * Which calls of bn-autograd's loops go to a second thread: the decisions of their estimates (element-passes and
 * multiply-adds at the committed rates) against the hand-off, for the training nets' calls at batch 128 (no timing
 * here: the rates and the hand-off are measured elsewhere).
 */
class LoopCostTest {
    private static final int BATCH = 128;

    private static boolean rangeShared(int elements, int passes, DType dtype) {
        return KernelThreads.rangeSharingPays(elements, LoopCost.ELEMENT_PASS.nanos(dtype, passes), 2);
    }

    private static boolean productShared(int m, int n, int k, DType dtype) {
        return KernelThreads.sharingPays(LoopCost.MULTIPLY_ADD.nanos(dtype, (long) m * n * k),
                Gemm.rowBlocks(m, n, k), 2);
    }

    @Test
    void aFloat64ElementPassCostsMoreThanAFloat32One() {
        assertTrue(LoopCost.ELEMENT_PASS.nanos(DType.FLOAT64, 1) > LoopCost.ELEMENT_PASS.nanos(DType.FLOAT32, 1));
        assertTrue(LoopCost.MULTIPLY_ADD.nanos(DType.FLOAT64, 1) > LoopCost.MULTIPLY_ADD.nanos(DType.FLOAT32, 1));
    }

    @Test
    void theEstimateGrowsWithTheWork() {
        assertEquals(1000 * LoopCost.ELEMENT_PASS.nanos(DType.FLOAT32, 1),
                LoopCost.ELEMENT_PASS.nanos(DType.FLOAT32, 1000), 1e-9);
    }

    @Nested
    class Mlp {
        @Test
        void theFirstLayersProductsAreShared() {
            assertTrue(productShared(BATCH, 256, 784, DType.FLOAT32));
            assertTrue(productShared(256, 784, BATCH, DType.FLOAT32));
        }

        @Test
        void theLastLayersProductStaysOnOneThread() {
            assertFalse(productShared(BATCH, 10, 256, DType.FLOAT32));
        }

        @Test
        void adamsUpdateOfThe784x256WeightIsShared() {
            // About 69 us on one thread at the committed rate: 6.1 blocks, the larger home range 3.1 of them, so a
            // second thread saves 34 us, more than the hand-off (measured: 46 us alone, 29 us on two threads).
            assertTrue(rangeShared(784 * 256, 8, DType.FLOAT32));
        }

        @Test
        void adamsUpdateOfTheLastLayersWeightStaysOnOneThread() {
            assertFalse(rangeShared(256 * 10, 8, DType.FLOAT32));
        }

        @Test
        void anActivationOfABatchIsOneBlockAndStaysOnOneThread() {
            assertFalse(rangeShared(BATCH * 256, Elementwise.UnaryOp.SIGMOID.passes(), DType.FLOAT32));
        }
    }

    @Nested
    class LeNet {
        private final int firstActivations = BATCH * 6 * 24 * 24;
        private final int secondActivations = BATCH * 16 * 8 * 8;

        @Test
        void theSigmoidsAfterBothConvolutionsAreShared() {
            assertTrue(rangeShared(firstActivations, Elementwise.UnaryOp.SIGMOID.passes(), DType.FLOAT32));
            assertTrue(rangeShared(secondActivations, Elementwise.UnaryOp.SIGMOID.passes(), DType.FLOAT32));
        }

        @Test
        void theSigmoidsBackwardsStayOnOneThread() {
            // Three element-passes over 442,368 elements: about 57 us in 13.5 blocks, the larger home range 7 of
            // them; a second thread saves less than the hand-off (measured: 0.99-1.01 x when shared, 60-80 % more CPU).
            assertFalse(rangeShared(firstActivations, 3, DType.FLOAT32));
            assertFalse(rangeShared(secondActivations, 3, DType.FLOAT32));
        }

        @Test
        void bothConvolutionsAreShared() {
            int chunks = new ImageChunks(BATCH).count();
            assertTrue(KernelThreads.sharingPays(
                    LoopCost.MULTIPLY_ADD.nanos(DType.FLOAT32, (long) BATCH * 6 * 25 * 24 * 24), chunks, 2));
            assertTrue(KernelThreads.sharingPays(
                    LoopCost.MULTIPLY_ADD.nanos(DType.FLOAT32, (long) BATCH * 16 * 150 * 8 * 8), chunks, 2));
        }

        @Test
        void theFirstPoolingStaysOnOneThread() {
            int planes = BATCH * 6;
            int inPlane = 24 * 24;
            assertFalse(KernelThreads.sharingPays(LoopCost.ELEMENT_PASS.nanos(DType.FLOAT32, 2L * planes * inPlane),
                    PoolingLoops.planeBlocks(planes, inPlane), 2));
        }
    }

    @Test
    void aLargeFloat64MapIsShared() {
        assertTrue(rangeShared(1 << 20, 2, DType.FLOAT64));
    }
}
