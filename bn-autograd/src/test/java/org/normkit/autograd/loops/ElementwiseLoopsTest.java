package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.loops.Elementwise.Op;
import org.normkit.autograd.loops.Elementwise.UnaryOp;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The elementwise loops of both dtypes against formulas written out here, element by element with the broadcast
 * index computed independently: every op with a loop of its own, over every block kind (both operands varying, the
 * second or the first one repeated, an empty output), equals its formula and the generic loop that computes in double
 * and rounds; the same for the unary functions, the sigmoid's backward, where, and the scatter of gathered elements.
 */
class ElementwiseLoopsTest {

    /** Small integers and halves, with ties, so comparisons meet equal operands and divisions are exact enough. */
    private static Tensor values(DType dtype, long seed, int... dims) {
        Shape shape = Shape.of(dims);
        double[] v = new double[shape.numel()];
        for (int i = 0; i < v.length; i++) {
            long h = (i * 2_654_435_761L + seed * 40_503L) & 0xffff;
            v[i] = (h % 9) * 0.5 - 2;
            if (v[i] == 0) {
                v[i] = 1.5;
            }
        }
        return Tensor.of(dtype, v, shape);
    }

    /** The formulas, written apart from the code under test. */
    private static DoubleBinaryOperator formula(Op op) {
        return switch (op) {
            case ADD -> (x, y) -> x + y;
            case SUB -> (x, y) -> x - y;
            case MUL -> (x, y) -> x * y;
            case DIV -> (x, y) -> x / y;
            case MAX -> (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : x >= y ? x : y;
            case GREATER -> (x, y) -> x > y ? 1 : 0;
            case EQUAL -> (x, y) -> x == y ? 1 : 0;
        };
    }

    private static DoubleUnaryOperator formula(UnaryOp op) {
        return switch (op) {
            case NEG -> v -> -v;
            case EXP -> Math::exp;
            case RECIPROCAL -> v -> 1 / v;
            case SQUARE -> v -> v * v;
            case SIGMOID -> v -> 1 / (1 + Math.exp(-v));
        };
    }

    /** The element of {@code operand} (aligned to the right, size-1 dimensions repeated) at output index {@code i}. */
    private static double broadcastElement(Tensor operand, Shape out, int i) {
        int[] od = out.dims();
        int[] d = operand.shape().dims();
        int offset = od.length - d.length;
        int flat = 0;
        int stride = 1;
        int rest = i;
        int[] index = new int[od.length];
        for (int k = od.length - 1; k >= 0; k--) {
            index[k] = rest % od[k];
            rest /= od[k];
        }
        for (int k = d.length - 1; k >= 0; k--) {
            flat += (d[k] == 1 ? 0 : index[k + offset]) * stride;
            stride *= d[k];
        }
        return operand.get(flat);
    }

    private static double[] expected(Tensor a, Tensor b, Shape out, DoubleBinaryOperator f) {
        double[] e = new double[out.numel()];
        for (int i = 0; i < e.length; i++) {
            double v = f.applyAsDouble(broadcastElement(a, out, i), broadcastElement(b, out, i));
            e[i] = a.dtype() == DType.FLOAT32 ? (float) v : v;
        }
        return e;
    }

    private static void assertExactly(double[] expected, Tensor actual, String what) {
        assertEquals(expected.length, actual.numel(), what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), what + ": element " + i);
        }
    }

    /** Operand shapes that give each block kind: equal, a row, a repeated column, a repeated first operand, a scalar. */
    private static final List<int[][]> SHAPES = List.of(
            new int[][] {{2, 3, 4}, {2, 3, 4}},
            new int[][] {{2, 3, 4}, {4}},
            new int[][] {{2, 3, 4}, {3, 1}},
            new int[][] {{3, 1}, {2, 3, 4}},
            new int[][] {{2, 1, 4}, {2, 3, 1}},
            new int[][] {{5}, {1}},
            new int[][] {{1}, {5}});

    @Nested
    class Binary {
        @ParameterizedTest
        @EnumSource(Op.class)
        void eachOpsLoopEqualsItsFormulaOverEveryBlockKindInBothDtypes(Op op) {
            for (DType dtype : DType.values()) {
                for (int[][] shapes : SHAPES) {
                    Tensor a = values(dtype, 1, shapes[0]);
                    Tensor b = values(dtype, 2, shapes[1]);
                    Shape out = Shape.broadcast(a.shape(), b.shape(), "test");
                    String what = op + " " + dtype + " " + a.shape() + " with " + b.shape();

                    assertExactly(expected(a, b, out, formula(op)), Elementwise.map(a, b, out, op), what);
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Op.class)
        void theGenericLoopThroughTheOpAsAFunctionGivesTheSameValues(Op op) {
            DoubleBinaryOperator asFunction = op::applyAsDouble;
            for (DType dtype : DType.values()) {
                for (int[][] shapes : SHAPES) {
                    Tensor a = values(dtype, 3, shapes[0]);
                    Tensor b = values(dtype, 4, shapes[1]);
                    Shape out = Shape.broadcast(a.shape(), b.shape(), "test");
                    String what = "generic " + op + " " + dtype + " " + a.shape() + " with " + b.shape();

                    assertExactly(expected(a, b, out, formula(op)), Elementwise.map(a, b, out, asFunction), what);
                }
            }
        }

        @Test
        void maximumLetsNaNWinAndComparisonsWithNaNAreFalse() {
            for (DType dtype : DType.values()) {
                Tensor a = Tensor.of(dtype, new double[] {Double.NaN, 1, 2}, Shape.of(3));
                Tensor b = Tensor.of(dtype, new double[] {0, Double.NaN, 2}, Shape.of(3));
                Tensor max = Elementwise.map(a, b, Shape.of(3), Op.MAX);
                assertTrue(Double.isNaN(max.get(0)) && Double.isNaN(max.get(1)), dtype + ": " + max.get(0));
                assertEquals(2, max.get(2));
                assertExactly(new double[] {0, 0, 0}, Elementwise.map(a, b, Shape.of(3), Op.GREATER), "greater");
                assertExactly(new double[] {0, 0, 1}, Elementwise.map(a, b, Shape.of(3), Op.EQUAL), "equal");
            }
        }

        @Test
        void anEmptyOutputIsAnEmptyTensor() {
            for (DType dtype : DType.values()) {
                Tensor a = Tensor.zeros(dtype, 0, 3);
                Tensor b = values(dtype, 1, 3);
                Tensor out = Elementwise.map(a, b, Shape.of(0, 3), Op.ADD);
                assertEquals(Shape.of(0, 3), out.shape());
                assertEquals(dtype, out.dtype());
            }
        }
    }

    @Nested
    class Unary {
        /** float32 exp and sigmoid have their own float implementation (FloatExp, VectorExp): within an ulp or two. */
        private static double tolerance(DType dtype, UnaryOp op) {
            return dtype == DType.FLOAT32 && (op == UnaryOp.EXP || op == UnaryOp.SIGMOID) ? 5e-7 : 0;
        }

        @ParameterizedTest
        @EnumSource(UnaryOp.class)
        void eachFunctionsLoopAndTheGenericLoopEqualTheFormulaInBothDtypes(UnaryOp op) {
            for (DType dtype : DType.values()) {
                Tensor x = values(dtype, 5, 3, 7);
                Tensor own = Elementwise.map(x, op);
                Tensor generic = Elementwise.map(x, (DoubleUnaryOperator) op::applyAsDouble);
                for (int i = 0; i < x.numel(); i++) {
                    double v = formula(op).applyAsDouble(x.get(i));
                    double e = dtype == DType.FLOAT32 ? (float) v : v;
                    double allowed = tolerance(dtype, op) * Math.abs(e);
                    assertEquals(e, own.get(i), allowed, op + " " + dtype + " element " + i);
                    assertEquals(e, generic.get(i), op + " " + dtype + " generic, element " + i);
                }
            }
        }

        @Test
        void theSigmoidsBackwardIsTheGradientTimesSTimesOneMinusS() {
            for (DType dtype : DType.values()) {
                Tensor g = values(dtype, 6, 2, 5);
                Tensor s = Tensor.uniform(dtype, Shape.of(2, 5), 0.05, 0.95, 7);
                Tensor out = Elementwise.mulSigmoidSlope(g, s);
                for (int i = 0; i < g.numel(); i++) {
                    double e = g.get(i) * (s.get(i) * (1 - s.get(i)));
                    assertEquals(dtype == DType.FLOAT32 ? (float) e : e, out.get(i), 5e-7 * Math.abs(e),
                            dtype + " element " + i);
                }
            }
        }
    }

    @Nested
    class WhereAndScatter {
        @Test
        void whereTakesAWhereTheConditionIsNonZeroAndMarksItInTheMask() {
            for (DType dtype : DType.values()) {
                for (DType conditionType : DType.values()) {
                    Shape shape = Shape.of(2, 5);
                    Tensor condition = Tensor.of(conditionType, new double[] {1, 0, -2, 0, 0.5, 0, 0, 3, 1, 0}, shape);
                    Tensor a = values(dtype, 8, 2, 5);
                    Tensor b = values(dtype, 9, 2, 5);

                    Tensor[] result = Elementwise.select(condition, a, b, shape);

                    for (int i = 0; i < shape.numel(); i++) {
                        boolean take = condition.get(i) != 0;
                        String what = dtype + " with a " + conditionType + " condition, element " + i;
                        assertEquals(take ? a.get(i) : b.get(i), result[0].get(i), what);
                        assertEquals(take ? 1.0 : 0.0, result[1].get(i), what);
                    }
                    assertEquals(dtype, result[0].dtype());
                    assertEquals(dtype, result[1].dtype());
                }
            }
        }

        @Test
        void whereReadsASingleElementInPlaceAndExpandsOtherBroadcasts() {
            for (DType dtype : DType.values()) {
                Shape shape = Shape.of(3, 4);
                Tensor a = values(dtype, 10, 3, 1);
                Tensor b = Tensor.scalar(-7, dtype);
                for (Tensor condition : new Tensor[] {Tensor.scalar(1, dtype), Tensor.scalar(0, dtype),
                        Tensor.of(dtype, new double[] {1, 0, 0, 1}, Shape.of(4))}) {
                    Tensor[] result = Elementwise.select(condition, a, b, shape);
                    for (int i = 0; i < shape.numel(); i++) {
                        boolean take = broadcastElement(condition, shape, i) != 0;
                        String what = dtype + " condition " + condition.shape() + ", element " + i;
                        assertEquals(take ? broadcastElement(a, shape, i) : -7, result[0].get(i), what);
                        assertEquals(take ? 1.0 : 0.0, result[1].get(i), what);
                    }
                }
            }
        }

        @Test
        void scatterAddAccumulatesRepeatedOffsetsFromTheBase() {
            for (DType dtype : DType.values()) {
                Tensor target = Tensor.full(dtype, Shape.of(6), 1);
                Tensor source = Tensor.of(dtype, new double[] {1, 2, 4, 8}, Shape.of(4));

                Elementwise.scatterAdd(source, target, new int[] {0, 2, 0, 3}, 1);

                assertExactly(new double[] {1, 6, 1, 3, 9, 1}, target, dtype.toString());
            }
        }

        @Test
        void gatherCopiesTheElementsAtTheOffsetsFromTheBase() {
            for (DType dtype : DType.values()) {
                Tensor x = Tensor.of(dtype, new double[] {0, 1, 2, 3, 4, 5}, Shape.of(6));

                Tensor out = Elementwise.gather(x, Shape.of(2, 2), new int[] {3, 0, 1, 1}, 2);

                assertExactly(new double[] {5, 2, 3, 3}, out, dtype.toString());
                assertEquals(Shape.of(2, 2), out.shape());
            }
        }
    }
}
