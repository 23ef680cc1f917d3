package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.autograd.TestTensors.assertGradients;
import static org.normkit.autograd.TestTensors.randn;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

class IndexingAndMasksTest {

    @Nested
    class GatherAndScatterRows {
        @Test
        void gatherGradientsMatchFiniteDifferencesWithRepeatedIndices() {
            assertGradients(in -> Indexing.gatherRows(in.get(0), new int[] {2, 0, 2, 3, 2}), randn(1, 4, 3));
        }

        @Test
        void scatterGradientsMatchFiniteDifferencesWithRepeatedIndices() {
            assertGradients(in -> Indexing.scatterRows(in.get(0), new int[] {1, 1, 4}, 6), randn(1, 3, 2, 2));
        }

        @Test
        void aRowGatheredTwiceReceivesBothGradients() {
            Tensor table = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
            Tensor picked = Indexing.gatherRows(table, new int[] {1, 1, 0});
            assertArrayEquals(new double[] {3, 4, 3, 4, 1, 2}, picked.toDoubleArray());
            picked.sum().backward();
            assertArrayEquals(new double[] {1, 1, 2, 2}, table.grad().toDoubleArray());
        }

        @Test
        void scatterAddsRowsThatShareAnIndex() {
            Tensor out = Indexing.scatterRows(Tensor.of(new float[] {1, 2, 3}, 3), new int[] {0, 2, 0}, 3);
            assertArrayEquals(new double[] {4, 0, 2}, out.toDoubleArray());
        }

        @Test
        void anIndexOutsideTheTableNamesTheIndexAndTheRange() {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> Indexing.gatherRows(randn(1, 4, 3), new int[] {0, 4}));
            assertTrue(e.getMessage().startsWith("gatherRows: index 4 at position 1"), e.getMessage());
            assertTrue(e.getMessage().contains("[0, 4)"), e.getMessage());
        }
    }

    @Nested
    class SequenceMasks {
        @Test
        void causalMaskKeepsThePastAndThePresent() {
            assertArrayEquals(new double[] {1, 0, 0, 1, 1, 0, 1, 1, 1},
                    Masks.causal(3, DType.FLOAT64).toDoubleArray());
        }

        @Test
        void paddingMaskMarksPositionsInsideEachSequence() {
            assertArrayEquals(new double[] {1, 1, 0, 1, 1, 1},
                    Masks.padding(new int[] {2, 3}, 3, DType.FLOAT32).toDoubleArray());
        }

        @Test
        void aLengthLongerThanTheBatchIsRefused() {
            ShapeException e = assertThrows(ShapeException.class, () -> Masks.padding(new int[] {4}, 3, DType.FLOAT32));
            assertTrue(e.getMessage().startsWith("padding: sequence 0 has length 4"), e.getMessage());
        }

        @Test
        void maskedScoresGetNoAttentionAndNoGradient() {
            Tensor keep = Masks.attention(Masks.padding(new int[] {2, 3}, 3, DType.FLOAT64), true);
            assertGradients(in -> Masks.apply(in.get(0), keep).softmax(-1), randn(1, 2, 2, 3, 3));
            Tensor scores = randn(2, 2, 2, 3, 3).requiresGrad(true);
            Tensor p = Masks.apply(scores, keep).softmax(-1);
            // Sequence 0, head 1, query 2: key 2 is padding, so the weights of keys 0 and 1 sum to one.
            int row = ((0 * 2 + 1) * 3 + 2) * 3;
            assertEquals(0.0, p.get(row + 2), 0.0);
            assertEquals(1.0, p.get(row) + p.get(row + 1), 1e-12);
            p.mul(randn(3, 2, 2, 3, 3)).sum().backward();
            assertEquals(0.0, scores.grad().get(row + 2), 0.0);
        }

        @Test
        void aQueryWithEveryKeyMaskedGetsUniformWeightsNotNaN() {
            Tensor keep = Masks.padding(new int[] {0}, 2, DType.FLOAT32).reshape(1, 1, 2);
            Tensor p = Masks.apply(Tensor.of(new float[] {1, 5}, 1, 1, 2), keep).softmax(-1);
            assertArrayEquals(new double[] {0.5, 0.5}, p.toDoubleArray());
        }
    }

    @Nested
    class SoftmaxOverAnAxis {
        @Test
        void softmaxOverTheMiddleAxisHasFiniteDifferenceGradients() {
            assertGradients(in -> in.get(0).softmax(1), randn(1, 2, 4, 3));
        }

        @Test
        void softmaxOverTheMiddleAxisSumsToOneAlongIt() {
            Tensor p = randn(1, 2, 4, 3).softmax(1).sum(new int[] {1}, false);
            for (double v : p.toDoubleArray()) {
                assertEquals(1.0, v, 1e-12);
            }
        }
    }

    @Nested
    class BatchedMatrixProduct {
        @Test
        void gradientsMatchFiniteDifferencesOverTwoBatchAxes() {
            assertGradients(in -> in.get(0).matmulTransposed(in.get(1)), randn(1, 2, 3, 4, 5), randn(2, 2, 3, 2, 5));
        }
    }
}
