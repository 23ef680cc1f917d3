package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.tensor.DType;

/**
 * Which calls of the norm kernels go to a second thread: the decisions of the per-pass estimates against the
 * hand-off, for the benchmark's shapes and for small ones (no timing here: the estimates and the crossover are
 * constants measured elsewhere).
 */
class KernelPassTest {

    private static boolean shared(KernelPass pass, Layout layout, DType dtype, int blocks) {
        return KernelThreads.sharingPays(pass.nanos(layout, dtype, layout.numel()), blocks, 2);
    }

    /** The decision when the helper has parked, as between the head-to-head benchmark's one-call samples. */
    private static boolean sharedWithAParkedHelper(KernelPass pass, Layout layout, DType dtype, int blocks) {
        return KernelThreads.sharingPays(pass.nanos(layout, dtype, layout.numel()), blocks, 2,
                KernelThreads.PARKED_HANDOFF_NANOS);
    }

    @Nested
    class WithAParkedHelper {
        private final Layout small2d = Layout.channels(8, 256, 196);
        private final Layout wide1d = Layout.channels(256, 1024, 1);

        @Test
        void everyPassOverAMegabyteOrTwoStaysOnTheCaller() {
            // The passes whose shared rows ran slower than one thread in the ninth session's closing window.
            for (Layout layout : new Layout[] {small2d, wide1d}) {
                ChannelsKernel k = new ChannelsKernel((Layout.Channels) layout);
                for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    String what = layout + " " + dtype;
                    assertFalse(sharedWithAParkedHelper(KernelPass.FORWARD, layout, dtype, k.blocks()), what);
                    assertFalse(sharedWithAParkedHelper(KernelPass.BACKWARD, layout, dtype, k.blocks()), what);
                    assertFalse(sharedWithAParkedHelper(KernelPass.NORMALIZE, layout, dtype, k.sampleBlocks()), what);
                }
            }
        }

        @Test
        void thePassesOverTensorsOf4MbAndMoreAreStillShared() {
            Layout image = Layout.channels(32, 64, 56 * 56);
            ChannelsKernel k = new ChannelsKernel((Layout.Channels) image);
            Layout layer = Layout.rows(32 * 128, 768);
            int rows = new RowsKernel((Layout.Rows) layer).blocks();
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (KernelPass pass : new KernelPass[] {KernelPass.FORWARD, KernelPass.BACKWARD}) {
                    assertTrue(sharedWithAParkedHelper(pass, image, dtype, k.blocks()), pass + " " + dtype);
                    assertTrue(sharedWithAParkedHelper(pass, layer, dtype, rows), pass + " " + dtype);
                }
                assertTrue(sharedWithAParkedHelper(KernelPass.NORMALIZE, image, dtype, k.sampleBlocks()));
                assertTrue(sharedWithAParkedHelper(KernelPass.NORMALIZE, layer, dtype, rows));
            }
        }

        @Test
        void theStreamingPassesOfAnImageBatchAreEachShared() {
            // BatchNorm2d 32x64x56x56 streams (a channel is larger than a block): its training forward is two calls,
            // the moments' pieces and the normalisation, and its backward two, each half the backward's estimate.
            Layout image = Layout.channels(32, 64, 56 * 56);
            ChannelsKernel k = new ChannelsKernel((Layout.Channels) image);
            assertTrue(k.streams());
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                assertTrue(sharedWithAParkedHelper(KernelPass.MOMENTS, image, dtype, k.planeBlocks()), "" + dtype);
                assertTrue(sharedWithAParkedHelper(KernelPass.NORMALIZE, image, dtype, k.planeBlocks()), "" + dtype);
                double half = KernelPass.BACKWARD.nanos(image, dtype, image.numel()) / 2;
                assertTrue(KernelThreads.sharingPays(half, k.planeBlocks(), 2, KernelThreads.PARKED_HANDOFF_NANOS),
                        "" + dtype);
            }
        }
    }

    @Nested
    class BatchNorm {
        private final Layout small2d = Layout.channels(8, 256, 196);
        private final Layout wide1d = Layout.channels(256, 1024, 1);

        @Test
        void trainingForwardsAndBackwardsOfAMegabyteOrTwoAreShared() {
            for (Layout layout : new Layout[] {small2d, wide1d}) {
                int blocks = new ChannelsKernel((Layout.Channels) layout).blocks();
                for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                    assertTrue(shared(KernelPass.FORWARD, layout, dtype, blocks), layout + " " + dtype);
                    assertTrue(shared(KernelPass.BACKWARD, layout, dtype, blocks), layout + " " + dtype);
                }
            }
        }

        @Test
        void evaluationForwardsOfAMegabyteOrLessStayOnOneThread() {
            for (Layout layout : new Layout[] {small2d, wide1d}) {
                int blocks = new ChannelsKernel((Layout.Channels) layout).sampleBlocks();
                assertFalse(shared(KernelPass.NORMALIZE, layout, DType.FLOAT32, blocks), layout.toString());
            }
            int blocks = new ChannelsKernel((Layout.Channels) wide1d).sampleBlocks();
            assertFalse(shared(KernelPass.NORMALIZE, wide1d, DType.FLOAT64, blocks));
        }

        @Test
        void theFloat64EvaluationForwardOfAnImageBatchOf3MbIsShared() {
            int blocks = new ChannelsKernel((Layout.Channels) small2d).sampleBlocks();
            assertTrue(shared(KernelPass.NORMALIZE, small2d, DType.FLOAT64, blocks));
        }

        @Test
        void aSmallBatchStaysOnOneThread() {
            Layout mlp = Layout.channels(64, 128, 1);
            int blocks = new ChannelsKernel((Layout.Channels) mlp).blocks();
            assertFalse(shared(KernelPass.FORWARD, mlp, DType.FLOAT64, blocks));
            assertFalse(shared(KernelPass.BACKWARD, mlp, DType.FLOAT64, blocks));
        }
    }

    @Nested
    class Rows {
        @Test
        void layerNormOfATransformerBatchIsShared() {
            Layout layer = Layout.rows(32 * 128, 768);
            int blocks = new RowsKernel((Layout.Rows) layer).blocks();
            assertTrue(shared(KernelPass.FORWARD, layer, DType.FLOAT32, blocks));
            assertTrue(shared(KernelPass.BACKWARD, layer, DType.FLOAT32, blocks));
        }

        @Test
        void layerNormOfAFewTokensStaysOnOneThread() {
            Layout layer = Layout.rows(32, 256);
            int blocks = new RowsKernel((Layout.Rows) layer).blocks();
            assertFalse(shared(KernelPass.FORWARD, layer, DType.FLOAT64, blocks));
            assertFalse(shared(KernelPass.BACKWARD, layer, DType.FLOAT64, blocks));
        }
    }
}
