package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.autograd.TestTensors.assertGradients;
import static org.normkit.autograd.TestTensors.assertSecondOrderGradients;
import static org.normkit.autograd.TestTensors.assertValues;
import static org.normkit.autograd.TestTensors.randn;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The fused sequence ops ({@link LstmCell}, {@link Softmax}) against their references composed from primitives:
 * the same values (to the bit where the fused forward runs the composition's arithmetic), the same gradients, finite
 * differences of both, and gradients of gradients.
 */
class FusedSequenceOpsTest {
    private static final int BATCH = 3;
    private static final int HIDDEN = 4;

    /** Values and every input's gradient (weighted by a fixed random output gradient) of two functions, side by side. */
    private static void assertSameFunction(Function<List<Tensor>, Tensor> fused, Function<List<Tensor>, Tensor> reference,
                                           double tolerance, Tensor... inputs) {
        Tensor[] a = leaves(inputs);
        Tensor[] b = leaves(inputs);
        Tensor yFused = fused.apply(List.of(a));
        Tensor yReference = reference.apply(List.of(b));
        assertValues(yReference, yFused, tolerance);
        Tensor weights = randn(99, yFused.shape().dims()).to(yFused.dtype());
        Tensor[] gFused = Backprop.grad(new Tensor[] {yFused}, a, new Tensor[] {weights}, false, false, false);
        Tensor[] gReference = Backprop.grad(new Tensor[] {yReference}, b, new Tensor[] {weights}, false, false, false);
        for (int i = 0; i < inputs.length; i++) {
            assertValues(gReference[i], gFused[i], tolerance);
        }
    }

    private static Tensor[] leaves(Tensor[] inputs) {
        Tensor[] copies = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            copies[i] = inputs[i].copy().requiresGrad(true);
        }
        return copies;
    }

    private static Tensor activations(long seed) {
        return LstmCell.composedGateActivations(randn(seed, BATCH, 4 * HIDDEN)).detach();
    }

    @Nested
    class LstmCellOps {
        @Test
        void gateActivationsAreTheComposedOnesToTheBitInFloat32() {
            Tensor gates = randn(1, BATCH, 4 * HIDDEN).mul(3.0).to(DType.FLOAT32);
            assertArrayEquals(LstmCell.composedGateActivations(gates).toFloatArray(),
                    LstmCell.gateActivations(gates).toFloatArray());
        }

        @Test
        void cellAndHiddenStatesAreTheComposedOnesToTheBitInFloat32() {
            Tensor a = activations(2).to(DType.FLOAT32);
            Tensor c = randn(3, BATCH, HIDDEN).to(DType.FLOAT32);
            assertArrayEquals(LstmCell.composedCellState(a, c).toFloatArray(),
                    LstmCell.cellState(a, c).toFloatArray());
            assertArrayEquals(LstmCell.composedHiddenState(a, c).toFloatArray(),
                    LstmCell.hiddenState(a, c).toFloatArray());
        }

        @Test
        void gradientsAreTheComposedCellsGradients() {
            assertSameFunction(in -> LstmCell.gateActivations(in.get(0)),
                    in -> LstmCell.composedGateActivations(in.get(0)), 1e-14, randn(4, BATCH, 4 * HIDDEN));
            assertSameFunction(in -> LstmCell.cellState(in.get(0), in.get(1)),
                    in -> LstmCell.composedCellState(in.get(0), in.get(1)), 1e-14, activations(5),
                    randn(6, BATCH, HIDDEN));
            assertSameFunction(in -> LstmCell.hiddenState(in.get(0), in.get(1)),
                    in -> LstmCell.composedHiddenState(in.get(0), in.get(1)), 1e-14, activations(7),
                    randn(8, BATCH, HIDDEN));
        }

        @Test
        void float32GradientsAgreeWithTheComposedCellsToFloatPrecision() {
            Tensor gates = randn(9, BATCH, 4 * HIDDEN).to(DType.FLOAT32);
            Tensor c = randn(10, BATCH, HIDDEN).to(DType.FLOAT32);
            assertSameFunction(in -> LstmCell.hiddenState(LstmCell.gateActivations(in.get(0)),
                            LstmCell.cellState(LstmCell.gateActivations(in.get(0)), in.get(1))),
                    in -> LstmCell.composedHiddenState(LstmCell.composedGateActivations(in.get(0)),
                            LstmCell.composedCellState(LstmCell.composedGateActivations(in.get(0)), in.get(1))),
                    1e-5, gates, c);
        }

        @Test
        void aWholeStepMatchesFiniteDifferences() {
            assertGradients(in -> {
                Tensor a = LstmCell.gateActivations(in.get(0));
                Tensor c = LstmCell.cellState(a, in.get(1));
                return LstmCell.hiddenState(a, c.mul(c));
            }, randn(11, BATCH, 4 * HIDDEN), randn(12, BATCH, HIDDEN));
        }

        @Test
        void gradientsOfGradientsOfEachOpMatchFiniteDifferences() {
            assertSecondOrderGradients(in -> LstmCell.gateActivations(in.get(0)), randn(30, 2, 8));
            assertSecondOrderGradients(in -> LstmCell.cellState(in.get(0), in.get(1)), randn(31, 2, 8),
                    randn(32, 2, 2));
            assertSecondOrderGradients(in -> LstmCell.hiddenState(in.get(0), in.get(1)), randn(33, 2, 8),
                    randn(34, 2, 2));
        }

        @Test
        void gradientsOfGradientsMatchFiniteDifferences() {
            assertSecondOrderGradients(in -> {
                Tensor a = LstmCell.gateActivations(in.get(0));
                return LstmCell.hiddenState(a, LstmCell.cellState(a, in.get(1)));
            }, randn(13, 2, 8), randn(14, 2, 2));
        }

        @Test
        void anInputWithoutAGradientGetsNone() {
            Tensor a = activations(15).requiresGrad(true);
            Tensor c = randn(16, BATCH, HIDDEN);
            LstmCell.cellState(a, c).sum().backward();
            assertNull(c.grad());
            assertEquals(Shape.of(BATCH, 4 * HIDDEN), a.grad().shape());
            double[] g = a.grad().toDoubleArray();
            for (int r = 0; r < BATCH; r++) {
                for (int j = 3 * HIDDEN; j < 4 * HIDDEN; j++) {
                    assertEquals(0.0, g[r * 4 * HIDDEN + j], "the output gate does not enter the cell state");
                }
            }
        }

        @Test
        void gatesThatAreNotFourBlocksWideAreRefused() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> LstmCell.gateActivations(randn(17, BATCH, 6)));
            assertTrue(e.getMessage().startsWith("lstm gateActivations: expected (batch, 4·hidden) gates"),
                    e.getMessage());
        }

        @Test
        void aCellStateOfTheWrongShapeIsRefusedWithBothShapes() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> LstmCell.cellState(activations(18), randn(19, BATCH, HIDDEN + 1)));
            assertTrue(e.getMessage().contains("(3, 4)") && e.getMessage().contains("(3, 5)"), e.getMessage());
        }
    }

    @Nested
    class SoftmaxOps {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"softmax", "logSoftmax"})
        void valuesAndGradientsAreTheComposedOnes(String op) {
            Function<List<Tensor>, Tensor> fused = in -> op.equals("softmax") ? Softmax.softmax(in.get(0), -1)
                    : Softmax.logSoftmax(in.get(0), -1);
            Function<List<Tensor>, Tensor> reference = in -> op.equals("softmax") ? Composed.softmax(in.get(0), -1)
                    : Composed.logSoftmax(in.get(0), -1);
            assertSameFunction(fused, reference, 1e-14, randn(20, 2, 3, 5).mul(4.0));
            assertSameFunction(fused, reference, 1e-5, randn(21, 4, 7).to(DType.FLOAT32));
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"softmax", "logSoftmax"})
        void gradientsAndTheirGradientsMatchFiniteDifferences(String op) {
            Function<List<Tensor>, Tensor> f = in -> (op.equals("softmax") ? Softmax.softmax(in.get(0), -1)
                    : Softmax.logSoftmax(in.get(0), -1)).mul(in.get(1));
            assertGradients(f, randn(22, 2, 4), randn(23, 2, 4));
            assertSecondOrderGradients(f, randn(24, 2, 3), randn(25, 2, 3));
        }

        @Test
        void largeScoresDoNotOverflow() {
            Tensor p = Softmax.softmax(Tensor.of(new float[] {1000, 1001, 1002, -5, 0, 5}, 2, 3), 1);
            assertValues(Composed.softmax(Tensor.of(new double[] {1000, 1001, 1002, -5, 0, 5}, 2, 3), 1).toDoubleArray(),
                    p, 1e-6);
        }

        @Test
        void aRowWithANaNIsNaN() {
            double[] p = Softmax.softmax(Tensor.of(new double[] {1, Double.NaN, 2, 1, 2, 3}, 2, 3), 1).toDoubleArray();
            assertTrue(Double.isNaN(p[0]) && Double.isNaN(p[2]), java.util.Arrays.toString(p));
            assertEquals(1.0, p[3] + p[4] + p[5], 1e-15);
        }

        @Test
        void anotherAxisIsTheComposedSoftmax() {
            Tensor x = randn(26, 2, 3, 4);
            assertArrayEquals(Composed.softmax(x, 1).toDoubleArray(), Softmax.softmax(x, 1).toDoubleArray());
            assertArrayEquals(Composed.logSoftmax(x, 0).toDoubleArray(), Softmax.logSoftmax(x, 0).toDoubleArray());
        }

        @Test
        void aMaskedRowOfAttentionIsUniform() {
            Tensor keep = Tensor.of(new double[] {0, 0, 0}, 1, 3);
            double[] p = Softmax.softmax(Masks.apply(randn(27, 2, 3), keep), -1).toDoubleArray();
            for (double v : p) {
                assertEquals(1.0 / 3, v, 1e-15);
            }
        }
    }
}
