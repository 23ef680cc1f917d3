package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.autograd.TestTensors.assertGradients;
import static org.normkit.autograd.TestTensors.distinct;
import static org.normkit.autograd.TestTensors.randn;
import static org.normkit.autograd.TestTensors.uniform;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Every primitive's backward against central finite differences (float64, {@code Tolerance.GRADCHECK}), with the
 * broadcasting, axis and geometry cases each one has. Inputs are seeded; ties (maximum, max, max pooling) are avoided
 * because the derivative is not defined there.
 */
class PrimitiveGradientsTest {

    @Nested
    class BinaryWithBroadcasting {
        @ParameterizedTest(name = "{0}: {1} with {2}")
        @CsvSource(delimiter = ';', value = {
            "add; 3x4; 3x4", "add; 3x4; 4", "add; 2x3x4; 3x1", "add; 3x1; 1x4", "add; 2x3; ''",
            "sub; 3x4; 3x4", "sub; 4; 3x4", "sub; 2x1x4; 3x1",
            "mul; 3x4; 3x4", "mul; 3x4; 1x4", "mul; 2x3x4; 2x1x4", "mul; 5; ''",
            "div; 3x4; 3x4", "div; 3x4; 3x1", "div; 4; 2x3x4",
            "maximum; 3x4; 3x4", "maximum; 3x4; 4", "maximum; 2x1x3; 4x1"})
        void gradientsMatchFiniteDifferences(String op, String left, String right) {
            Tensor a = randn(1, Shape.parse(left).dims());
            // Keep divisors away from 0, where finite differences are poor.
            Tensor b = op.equals("div") ? uniform(2, 0.5, 2.0, Shape.parse(right).dims())
                    : randn(2, Shape.parse(right).dims());
            assertGradients(in -> switch (op) {
                case "add" -> in.get(0).add(in.get(1));
                case "sub" -> in.get(0).sub(in.get(1));
                case "mul" -> in.get(0).mul(in.get(1));
                case "div" -> in.get(0).div(in.get(1));
                case "maximum" -> in.get(0).maximum(in.get(1));
                default -> throw new IllegalArgumentException(op);
            }, a, b);
        }

        @Test
        void whereRoutesGradientsByTheCondition() {
            Tensor condition = randn(3, 3, 4).gt(Tensor.scalar(0, DType.FLOAT64));
            assertGradients(in -> Tensor.where(condition, in.get(0), in.get(1)), randn(1, 3, 4), randn(2, 4));
        }

        @Test
        void maximumSplitsTheGradientOfATieEvenly() {
            Tensor a = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {1, 5, 0}, 3).requiresGrad(true);
            a.maximum(b).sum().backward();
            assertArrayEquals(new double[] {0.5, 0, 1}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {0.5, 1, 0}, b.grad().toDoubleArray());
        }
    }

    @Nested
    class Unary {
        @Test
        void neg() {
            assertGradients(in -> in.get(0).neg(), randn(1, 3, 4));
        }

        @Test
        void exp() {
            assertGradients(in -> in.get(0).exp(), randn(1, 3, 4));
        }

        @Test
        void log() {
            assertGradients(in -> in.get(0).log(), uniform(1, 0.2, 3, 3, 4));
        }

        @Test
        void sqrt() {
            assertGradients(in -> in.get(0).sqrt(), uniform(1, 0.2, 3, 3, 4));
        }

        @ParameterizedTest(name = "x^{0}")
        @CsvSource({"2", "-1", "3", "0.5", "-1.5"})
        void pow(double exponent) {
            assertGradients(in -> in.get(0).pow(exponent), uniform(1, 0.3, 2, 3, 4));
        }

        @Test
        void erf() {
            assertGradients(in -> in.get(0).erf(), randn(1, 3, 4));
        }

        @Test
        void sigmoid() {
            assertGradients(in -> in.get(0).sigmoid(), randn(1, 3, 4).mul(3.0));
        }

        @Test
        void sigmoidPrimitiveEqualsItsComposition() {
            Tensor x = randn(5, 4, 5).mul(4.0).requiresGrad(true);
            Tensor y = x.detach().copy().requiresGrad(true);
            Tensor w = randn(6, 4, 5);
            x.sigmoid().mul(w).sum().backward();
            Composed.sigmoid(y).mul(w).sum().backward();
            org.normkit.autograd.TestTensors.assertValues(Composed.sigmoid(y.detach()), x.detach().sigmoid(), 1e-15);
            org.normkit.autograd.TestTensors.assertValues(y.grad(), x.grad(), 1e-14);
        }

        @Test
        void float32ExpAndSigmoidStayWithinTwoUlpsOfTheDoubleResult() {
            // Under surefire's --add-modules this runs the Vector API loops, elsewhere the scalar ones.
            Tensor x = Tensor.uniform(DType.FLOAT32, Shape.of(1000), -20, 20, 3);
            float[] e = x.exp().toFloatArray();
            float[] s = x.sigmoid().toFloatArray();
            for (int i = 0; i < x.numel(); i++) {
                double v = x.get(i);
                float expected = (float) Math.exp(v);
                float sigmoid = (float) (1 / (1 + Math.exp(-v)));
                assertTrue(Math.abs(e[i] - expected) <= 2 * Math.ulp(expected), "exp(" + v + ") = " + e[i]);
                assertTrue(Math.abs(s[i] - sigmoid) <= 2 * Math.ulp(sigmoid), "sigmoid(" + v + ") = " + s[i]);
            }
            assertEquals(0f, Tensor.of(new float[] {-200f}, 1).sigmoid().toFloatArray()[0]);
            assertEquals(1f, Tensor.of(new float[] {200f}, 1).sigmoid().toFloatArray()[0]);
        }

        @Test
        void castSendsTheGradientBackInTheSourceType() {
            Tensor x = randn(1, 2, 3).requiresGrad(true);
            Tensor y = x.to(DType.FLOAT32);
            assertEquals(DType.FLOAT32, y.dtype());
            y.mul(Tensor.full(DType.FLOAT32, y.shape(), 3)).sum().backward();
            assertEquals(DType.FLOAT64, x.grad().dtype());
            assertArrayEquals(new double[] {3, 3, 3, 3, 3, 3}, x.grad().toDoubleArray());
        }

        @Test
        void castGradchecksThroughFloat64() {
            // float64 -> float64 is the identity; through float32 the finite differences would measure rounding.
            assertGradients(in -> in.get(0).to(DType.FLOAT64).mul(in.get(0)), randn(1, 3));
        }
    }

    @Nested
    class Reductions {
        @ParameterizedTest(name = "sum over {0} of 2x3x4, keepDim {1}")
        @CsvSource(delimiter = ';', value = {"''; false", "''; true", "0; false", "0; true", "1; true", "2; false",
            "0,2; true", "0,2; false", "1,2; false", "-1; true", "0,1,2; false"})
        void sum(String axes, boolean keepDim) {
            int[] a = axes(axes);
            assertGradients(in -> in.get(0).sum(a, keepDim), randn(1, 2, 3, 4));
        }

        @ParameterizedTest(name = "max over {0} of 2x3x4, keepDim {1}")
        @CsvSource(delimiter = ';', value = {"''; false", "0; true", "1; false", "2; true", "0,2; false", "-1; false"})
        void max(String axes, boolean keepDim) {
            int[] a = axes(axes);
            assertGradients(in -> in.get(0).max(a, keepDim), distinct(2, 3, 4));
        }

        private int[] axes(String list) {
            return list.isEmpty() ? new int[0]
                    : java.util.Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
        }

        @Test
        void maxSharesTheGradientOfTiedMaxima() {
            Tensor x = Tensor.of(new double[] {1, 3, 3, 2}, 4).requiresGrad(true);
            x.max(new int[] {0}, false).backward();
            assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, x.grad().toDoubleArray());
        }
    }

    @Nested
    class Movement {
        @Test
        void reshape() {
            assertGradients(in -> in.get(0).reshape(4, -1).mul(in.get(1)), randn(1, 2, 3, 2), randn(2, 4, 3));
        }

        @Test
        void permute() {
            assertGradients(in -> in.get(0).permute(2, 0, 1).mul(in.get(1)), randn(1, 2, 3, 4), randn(2, 4, 2, 3));
        }

        @Test
        void expand() {
            assertGradients(in -> in.get(0).expand(Shape.of(2, 3, 4)).mul(in.get(1)), randn(1, 3, 1), randn(2, 2, 3, 4));
        }

        @Test
        void narrow() {
            assertGradients(in -> in.get(0).narrow(1, 1, 2).mul(in.get(1)), randn(1, 2, 4, 3), randn(2, 2, 2, 3));
        }

        @Test
        void concat() {
            assertGradients(in -> Tensor.concat(1, in.get(0), in.get(1), in.get(0)).mul(in.get(2)),
                    randn(1, 2, 1, 3), randn(2, 2, 2, 3), randn(3, 2, 4, 3));
        }
    }

    @Nested
    class MatrixProducts {
        @Test
        void twoDimensional() {
            assertGradients(in -> in.get(0).matmul(in.get(1)), randn(1, 3, 4), randn(2, 4, 5));
        }

        @Test
        void batched() {
            assertGradients(in -> in.get(0).matmul(in.get(1)), randn(1, 2, 3, 4), randn(2, 2, 4, 5));
        }

        @Test
        void sharedRightHandSide() {
            assertGradients(in -> in.get(0).matmul(in.get(1)), randn(1, 2, 3, 4), randn(2, 4, 5));
        }

        @Test
        void sharedLeftHandSide() {
            assertGradients(in -> in.get(0).matmul(in.get(1)), randn(1, 3, 4), randn(2, 2, 4, 5));
        }

        @Test
        void transposedSecondOperand() {
            assertGradients(in -> in.get(0).matmulTransposed(in.get(1)), randn(1, 3, 4), randn(2, 5, 4));
            assertGradients(in -> in.get(0).matmulTransposed(in.get(1)), randn(1, 2, 3, 4), randn(2, 5, 4));
        }
    }

    @Nested
    class Convolution {
        @ParameterizedTest(name = "input {0}, weight {1}, stride {2}, padding {3}")
        @CsvSource(delimiter = ';', value = {
            "1x1x5x5; 1x1x3x3; 1; 0", "2x3x5x6; 4x3x3x3; 1; 1", "2x2x7x6; 3x2x3x2; 2; 1", "1x2x6x6; 2x2x2x2; 3; 2",
            "2x3x4x4; 2x3x1x1; 1; 0", "1x1x4x4; 2x1x4x4; 1; 0"})
        void withBias(String input, String weight, int stride, int padding) {
            Shape w = Shape.parse(weight);
            assertGradients(in -> in.get(0).conv2d(in.get(1), in.get(2), stride, padding),
                    randn(1, Shape.parse(input).dims()), randn(2, w.dims()), randn(3, w.dim(0)));
        }

        @Test
        void withoutBias() {
            assertGradients(in -> in.get(0).conv2d(in.get(1), null, 2, 1), randn(1, 2, 2, 5, 5), randn(2, 3, 2, 3, 3));
        }
    }

    @Nested
    class Pooling {
        @ParameterizedTest(name = "max, kernel {0}, stride {1}, padding {2}")
        @CsvSource({"2, 2, 0", "3, 2, 1", "3, 1, 1", "2, 1, 0", "3, 3, 0"})
        void max(int kernel, int stride, int padding) {
            assertGradients(in -> in.get(0).maxPool2d(kernel, stride, padding), distinct(2, 2, 5, 6));
        }

        @ParameterizedTest(name = "average, kernel {0}, stride {1}, padding {2}, count padding {3}")
        @CsvSource({"2, 2, 0, true", "3, 2, 1, true", "3, 2, 1, false", "3, 1, 1, false", "2, 1, 1, true"})
        void average(int kernel, int stride, int padding, boolean countIncludePad) {
            assertGradients(in -> org.normkit.autograd.ops.Pooling.avgPool2d(in.get(0), kernel, stride, padding,
                    countIncludePad), randn(1, 2, 2, 5, 6));
        }
    }
}
