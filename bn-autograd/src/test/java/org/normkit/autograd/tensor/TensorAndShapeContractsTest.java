package org.normkit.autograd.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The tensor's own contracts: data that does not fill its shape, copies and gradients of another shape, which
 * tensors are leaves, arange's count and direction, n-d indexing at the edges, the normal generator's moments and
 * what toString shows; and the shape checks the norms and layers share, with their messages.
 */
class TensorAndShapeContractsTest {

    @Nested
    class Lengths {
        @Test
        void dataThatDoesNotFillTheShapeIsRefusedWithBothCounts() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> Tensor.wrap(new double[3], Shape.of(2, 2)));
            assertEquals("data of length 3 does not fill shape (2, 2) (4 elements)", e.getMessage());
            assertThrows(ShapeException.class, () -> Tensor.wrap(new float[5], Shape.of(2, 2)));
            assertThrows(ShapeException.class, () -> Tensor.of(DType.FLOAT32, new double[3], Shape.of(4)));
            assertThrows(ShapeException.class, () -> Tensor.zeros(DType.FLOAT64, 6).viewAs(Shape.of(4)));
        }

        @Test
        void aViewSharesTheStorage() {
            Tensor t = Tensor.zeros(DType.FLOAT64, 6);
            Tensor view = t.viewAs(Shape.of(2, 3));
            view.set(4, 7);
            assertEquals(7, t.get(4));
        }

        @Test
        void copyFromAndSetGradRefuseAnotherShape() {
            Tensor t = Tensor.zeros(DType.FLOAT64, 2, 2);
            ShapeException copy = assertThrows(ShapeException.class, () -> t.copyFrom(Tensor.zeros(DType.FLOAT64, 4)));
            assertEquals("copyFrom: the source has shape (4) but (2, 2) was expected", copy.getMessage());
            ShapeException grad = assertThrows(ShapeException.class, () -> t.setGrad(Tensor.zeros(DType.FLOAT64, 4)));
            assertEquals("setGrad: the gradient has shape (4) but (2, 2) was expected", grad.getMessage());
            t.setGrad(null);
            assertNull(t.grad());
        }

        @Test
        void copyFromConvertsTheDtype() {
            Tensor t = Tensor.zeros(DType.FLOAT32, 2);
            t.copyFrom(Tensor.of(new double[] {0.5, -2}, 2));
            assertArrayEquals(new double[] {0.5, -2}, t.toDoubleArray());
        }
    }

    @Nested
    class Graph {
        @Test
        void anOpsOutputIsNoLeafAndCannotDropItsGradient() {
            Tensor leaf = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true);
            Tensor out = leaf.add(leaf);

            assertTrue(leaf.isLeaf());
            assertFalse(out.isLeaf());
            assertSame(out, out.requiresGrad(true));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> out.requiresGrad(false));
            assertTrue(e.getMessage().startsWith("requiresGrad(false) on the output of op '"), e.getMessage());
            assertTrue(e.getMessage().endsWith("': only leaves can change it; use detach() to cut the graph"),
                    e.getMessage());
        }

        @Test
        void aLeafCanDropItsGradient() {
            Tensor leaf = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true);
            assertDoesNotThrow(() -> leaf.requiresGrad(false));
            assertFalse(leaf.requiresGrad());
        }
    }

    @Nested
    class Factories {
        @Test
        void arangeCountsStepsFromStartTowardsEnd() {
            assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75},
                    Tensor.arange(DType.FLOAT64, 0, 1, 0.25).toDoubleArray());
            assertArrayEquals(new double[] {5, 4, 3}, Tensor.arange(DType.FLOAT64, 5, 2, -1).toDoubleArray());
            assertArrayEquals(new double[] {1, 3}, Tensor.arange(DType.FLOAT32, 1, 4, 2).toDoubleArray());
            assertEquals(0, Tensor.arange(DType.FLOAT64, 2, 2, 1).numel());
        }

        @Test
        void arangeRefusesAStepThatNeverArrives() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.arange(DType.FLOAT64, 0, 1, -1));
            assertEquals("arange(0.0, 1.0, -1.0): step must be non-zero and point from start towards end",
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.arange(DType.FLOAT64, 0, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> Tensor.arange(DType.FLOAT64, Double.NaN, 1, 1));
        }

        @Test
        void seededNormalsHaveMeanZeroAndVarianceOne() {
            Tensor t = Tensor.randn(DType.FLOAT64, Shape.of(40_000), 9);
            double mean = 0;
            for (int i = 0; i < t.numel(); i++) {
                mean += t.get(i) / t.numel();
            }
            double variance = 0;
            for (int i = 0; i < t.numel(); i++) {
                variance += (t.get(i) - mean) * (t.get(i) - mean) / t.numel();
            }
            assertEquals(0, mean, 0.03);
            assertEquals(1, variance, 0.05);
        }

        @Test
        void dtypesHaveTheirPyTorchLabels() {
            assertEquals("float32", DType.FLOAT32.label());
            assertEquals("float64", DType.FLOAT64.label());
        }
    }

    @Nested
    class Indexing {
        @Test
        void anIndexAtTheSizeIsOutside() {
            Tensor t = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
            assertEquals(4, t.at(1, 1));
            ShapeException e = assertThrows(ShapeException.class, () -> t.at(0, 2));
            assertEquals("at(): index [0, 2] is outside shape (2, 2)", e.getMessage());
            assertThrows(ShapeException.class, () -> t.at(-1, 0));
        }
    }

    @Nested
    class Printing {
        @Test
        void aLeafThatRequiresAGradientSaysSo() {
            Tensor t = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
            assertEquals("Tensor(2) float64 (leaf, requires grad) [1.0, 2.0]", t.toString());
            assertEquals("Tensor(2) float64 [1.0, 2.0]", Tensor.of(new double[] {1, 2}, 2).toString());
        }

        @Test
        void anOpsOutputNamesTheOp() {
            Tensor leaf = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
            String s = leaf.add(leaf).toString();
            assertTrue(s.startsWith("Tensor(2) float64 <- "), s);
            assertTrue(s.endsWith(" [2.0, 4.0]"), s);
        }

        @Test
        void atMostEightValuesAreShown() {
            assertEquals("Tensor(8) float32 [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]",
                    Tensor.arange(DType.FLOAT32, 0, 8, 1).toString());
            assertEquals("Tensor(9) float32 [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, ...]",
                    Tensor.arange(DType.FLOAT32, 0, 9, 1).toString());
        }
    }

    @Nested
    class ShapeChecks {
        @Test
        void negativeAxesCountFromTheEndAndOthersAreRefusedWithTheRange() {
            Shape s = Shape.of(2, 3, 4);
            assertEquals(2, s.normalizeAxis(-1, "op"));
            assertEquals(0, s.normalizeAxis(-3, "op"));
            assertEquals(2, s.normalizeAxis(2, "op"));
            ShapeException e = assertThrows(ShapeException.class, () -> s.normalizeAxis(3, "sum"));
            assertEquals("sum: axis 3 is out of range for a tensor of shape (2, 3, 4) (rank 3): use an axis in [-3, 2]",
                    e.getMessage());
            assertThrows(ShapeException.class, () -> s.normalizeAxis(-4, "sum"));
        }

        @Test
        void aShapeBroadcastsToATargetWhenEachDimensionIsEqualOrOne() {
            assertTrue(Shape.of(3, 1).broadcastsTo(Shape.of(2, 3, 4)));
            assertTrue(Shape.of(4).broadcastsTo(Shape.of(2, 4)));
            assertFalse(Shape.of(3, 2).broadcastsTo(Shape.of(2, 3, 4)));
            assertFalse(Shape.of(2, 3, 4).broadcastsTo(Shape.of(3, 4)));
        }

        @Test
        void requireSizeNamesWhatTheDimensionMeans() {
            Shape s = Shape.of(2, 3);
            assertDoesNotThrow(() -> s.requireSize(-1, 3, "norm", "channels"));
            ShapeException e = assertThrows(ShapeException.class, () -> s.requireSize(1, 4, "norm", "channels"));
            assertEquals("norm: expected 4 channels in dimension 1, got input of shape (2, 3) (3 there): build the "
                    + "layer for 3 or feed it inputs with 4", e.getMessage());
        }

        @Test
        void anEmptyInputIsRefusedNamingTheEmptyDimension() {
            assertDoesNotThrow(() -> Shape.of(1, 1).requireNonEmpty("norm"));
            assertEquals("norm: got an empty input of shape (0, 3) (dimension 0 has size 0, an empty batch): every "
                    + "dimension must be >= 1", assertThrows(ShapeException.class,
                            () -> Shape.of(0, 3).requireNonEmpty("norm")).getMessage());
            assertEquals("norm: got an empty input of shape (2, 0) (dimension 1 has size 0): every dimension must be "
                    + ">= 1", assertThrows(ShapeException.class,
                            () -> Shape.of(2, 0).requireNonEmpty("norm")).getMessage());
        }

        @Test
        void aTrailingShapeMustEndTheInputsShape() {
            assertDoesNotThrow(() -> Shape.of(2, 4, 5).requireTail(Shape.of(4, 5), "layer_norm"));
            assertDoesNotThrow(() -> Shape.of(4, 5).requireTail(Shape.of(4, 5), "layer_norm"));
            ShapeException e = assertThrows(ShapeException.class,
                    () -> Shape.of(2, 5, 4).requireTail(Shape.of(4, 5), "layer_norm"));
            assertEquals("layer_norm: normalized_shape (4, 5) must be the tail of the input's shape: expected an input "
                    + "of shape (*, 4, 5), got input of shape (2, 5, 4); build the layer with the input's last "
                    + "dimensions as normalized_shape", e.getMessage());
            assertThrows(ShapeException.class, () -> Shape.of(5).requireTail(Shape.of(4, 5), "layer_norm"));
        }

        @Test
        void equalShapesHashAlikeAndPrintCompactly() {
            assertEquals(Shape.of(2, 3).hashCode(), Shape.of(2, 3).hashCode());
            assertNotEquals(Shape.of(2, 3).hashCode(), Shape.of(3, 2).hashCode());
            assertEquals("32x64x56x56", Shape.of(32, 64, 56, 56).toCompactString());
        }

        @Test
        void theLargestShapeAJavaArrayHoldsIsAccepted() {
            assertDoesNotThrow(() -> Shape.of(Integer.MAX_VALUE - 8));
            assertThrows(ShapeException.class, () -> Shape.of(Integer.MAX_VALUE - 7));
        }
    }
}
