package org.normkit.autograd.ops;

import static org.normkit.autograd.TestTensors.assertSecondOrderGradients;
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
 * Every primitive's gradient differentiated again ({@code createGraph}) against finite differences of its
 * first-order gradient (float64, {@code Tolerance.GRADCHECK}), on small shapes. Each primitive is followed by a
 * nonlinearity where it is linear itself, so that its second derivative is not trivially zero and its backward's own
 * backward is exercised with respect to both its inputs and the incoming gradient.
 */
class SecondOrderGradientsTest {

    @Nested
    class BinaryWithBroadcasting {
        @ParameterizedTest(name = "{0}: {1} with {2}")
        @CsvSource(delimiter = ';', value = {
            "add; 2x3; 3", "sub; 3; 2x3", "mul; 2x3; 2x1", "div; 2x3; 3", "maximum; 2x3; 3"})
        void gradientsOfGradientsMatchFiniteDifferences(String op, String left, String right) {
            Tensor a = randn(1, Shape.parse(left).dims());
            Tensor b = op.equals("div") ? uniform(2, 0.5, 2.0, Shape.parse(right).dims())
                    : randn(2, Shape.parse(right).dims());
            assertSecondOrderGradients(in -> {
                Tensor x = in.get(0);
                Tensor y = in.get(1);
                Tensor r = switch (op) {
                    case "add" -> x.add(y);
                    case "sub" -> x.sub(y);
                    case "mul" -> x.mul(y);
                    case "div" -> x.div(y);
                    case "maximum" -> x.maximum(y);
                    default -> throw new IllegalArgumentException(op);
                };
                return r.mul(r);
            }, a, b);
        }

        @Test
        void where() {
            Tensor condition = randn(3, 2, 3).gt(Tensor.scalar(0, DType.FLOAT64));
            assertSecondOrderGradients(in -> Tensor.where(condition, in.get(0), in.get(1)).exp(),
                    randn(1, 2, 3), randn(2, 3));
        }
    }

    @Nested
    class Unary {
        @Test
        void neg() {
            assertSecondOrderGradients(in -> in.get(0).neg().exp(), randn(1, 2, 3));
        }

        @Test
        void exp() {
            assertSecondOrderGradients(in -> in.get(0).exp(), randn(1, 2, 3));
        }

        @Test
        void log() {
            assertSecondOrderGradients(in -> in.get(0).log(), uniform(1, 0.5, 3, 2, 3));
        }

        @Test
        void sqrt() {
            assertSecondOrderGradients(in -> in.get(0).sqrt(), uniform(1, 0.5, 3, 2, 3));
        }

        @ParameterizedTest(name = "x^{0}")
        @CsvSource({"2", "-1", "3", "0.5"})
        void pow(double exponent) {
            assertSecondOrderGradients(in -> in.get(0).pow(exponent), uniform(1, 0.5, 2, 2, 3));
        }

        @Test
        void erf() {
            assertSecondOrderGradients(in -> in.get(0).erf(), randn(1, 2, 3));
        }

        @Test
        void sigmoid() {
            assertSecondOrderGradients(in -> in.get(0).sigmoid(), randn(1, 2, 3));
        }

        @Test
        void cast() {
            assertSecondOrderGradients(in -> in.get(0).to(DType.FLOAT64).mul(in.get(0)).exp(), randn(1, 3));
        }

        @Test
        void thirdOrderOfExpIsExp() {
            Tensor x = randn(1, 3).requiresGrad(true);
            Tensor first = org.normkit.autograd.graph.Backprop.grad(x.exp().sum(), new Tensor[] {x}, true)[0];
            Tensor second = org.normkit.autograd.graph.Backprop.grad(first.sum(), new Tensor[] {x}, true)[0];
            Tensor third = org.normkit.autograd.graph.Backprop.grad(second.sum(), new Tensor[] {x}, false)[0];
            org.normkit.autograd.TestTensors.assertValues(x.detach().exp(), third, 1e-15);
        }
    }

    @Nested
    class Reductions {
        @Test
        void sum() {
            assertSecondOrderGradients(in -> in.get(0).sum(new int[] {1}, false).square(), randn(1, 2, 3));
        }

        @Test
        void max() {
            assertSecondOrderGradients(in -> in.get(0).max(new int[] {1}, true).square(), distinct(2, 3));
        }
    }

    @Nested
    class Movement {
        @Test
        void reshape() {
            assertSecondOrderGradients(in -> in.get(0).reshape(3, 2).square(), randn(1, 2, 3));
        }

        @Test
        void permute() {
            assertSecondOrderGradients(in -> in.get(0).permute(1, 0).mul(in.get(1)).square(), randn(1, 2, 3),
                    randn(2, 3, 2));
        }

        @Test
        void expand() {
            assertSecondOrderGradients(in -> in.get(0).expand(Shape.of(2, 3)).mul(in.get(1)).square(), randn(1, 1, 3),
                    randn(2, 2, 3));
        }

        @Test
        void narrowAndConcat() {
            assertSecondOrderGradients(in -> Tensor.concat(1, in.get(0).narrow(1, 1, 2), in.get(0)).square(),
                    randn(1, 2, 3));
        }
    }

    @Nested
    class MatrixProducts {
        @Test
        void twoDimensional() {
            assertSecondOrderGradients(in -> in.get(0).matmul(in.get(1)).square(), randn(1, 2, 3), randn(2, 3, 2));
        }

        @Test
        void batchedWithASharedOperand() {
            assertSecondOrderGradients(in -> in.get(0).matmul(in.get(1)).square(), randn(1, 2, 2, 3), randn(2, 3, 2));
        }

        @Test
        void transposedSecondOperand() {
            assertSecondOrderGradients(in -> in.get(0).matmulTransposed(in.get(1)).square(), randn(1, 2, 2, 3),
                    randn(2, 2, 3));
        }
    }

    @Nested
    class Convolution {
        @ParameterizedTest(name = "input {0}, weight {1}, stride {2}, padding {3}")
        @CsvSource(delimiter = ';', value = {"1x2x4x4; 2x2x3x3; 1; 1", "2x1x5x4; 2x1x2x2; 2; 0", "1x2x3x3; 3x2x1x1; 1; 0"})
        void withBias(String input, String weight, int stride, int padding) {
            Shape w = Shape.parse(weight);
            assertSecondOrderGradients(in -> in.get(0).conv2d(in.get(1), in.get(2), stride, padding).square(),
                    randn(1, Shape.parse(input).dims()), randn(2, w.dims()), randn(3, w.dim(0)));
        }

        @Test
        void float32StrideOneRunsTheShiftedLoopsAndStillDifferentiatesTwice() {
            Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(2, 2, 5, 5), 1).requiresGrad(true);
            Tensor w = Tensor.randn(DType.FLOAT32, Shape.of(2, 2, 3, 3), 2).requiresGrad(true);
            Tensor gx = org.normkit.autograd.graph.Backprop.grad(x.conv2d(w, null, 1, 1).square().sum(),
                    new Tensor[] {x}, true)[0];
            Tensor hvp = org.normkit.autograd.graph.Backprop.grad(gx.square().sum(), new Tensor[] {w}, false)[0];
            Tensor x64 = x.detach().to(DType.FLOAT64).requiresGrad(true);
            Tensor w64 = w.detach().to(DType.FLOAT64).requiresGrad(true);
            Tensor gx64 = org.normkit.autograd.graph.Backprop.grad(x64.conv2d(w64, null, 1, 1).square().sum(),
                    new Tensor[] {x64}, true)[0];
            Tensor hvp64 = org.normkit.autograd.graph.Backprop.grad(gx64.square().sum(), new Tensor[] {w64}, false)[0];
            org.normkit.autograd.TestTensors.assertValues(hvp64, hvp.to(DType.FLOAT64), 1e-3);
        }
    }

    @Nested
    class IndexingRows {
        @Test
        void gatherAndScatterRows() {
            int[] rows = {2, 0, 2};
            assertSecondOrderGradients(in -> Indexing.gatherRows(in.get(0), rows).square(), randn(1, 3, 2));
            assertSecondOrderGradients(in -> Indexing.scatterRows(in.get(0), rows, 4).square(), randn(1, 3, 2));
        }
    }

    @Nested
    class Pooling {
        @ParameterizedTest(name = "max, kernel {0}, stride {1}, padding {2}")
        @CsvSource({"2, 2, 0", "3, 2, 1"})
        void max(int kernel, int stride, int padding) {
            assertSecondOrderGradients(in -> in.get(0).maxPool2d(kernel, stride, padding).square(), distinct(1, 2, 4, 4));
        }

        @ParameterizedTest(name = "average, kernel {0}, stride {1}, padding {2}, count padding {3}")
        @CsvSource({"2, 2, 0, true", "3, 2, 1, false"})
        void average(int kernel, int stride, int padding, boolean countIncludePad) {
            assertSecondOrderGradients(in -> org.normkit.autograd.ops.Pooling.avgPool2d(in.get(0), kernel, stride,
                    padding, countIncludePad).square(), randn(1, 1, 2, 4, 4));
        }

        @Test
        void float32TwoByTwoTilesDifferentiateTwice() {
            Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(1, 1, 4, 4), 1).requiresGrad(true);
            Tensor gx = org.normkit.autograd.graph.Backprop.grad(x.avgPool2d(2, 2, 0).square().sum(),
                    new Tensor[] {x}, true)[0];
            Tensor second = org.normkit.autograd.graph.Backprop.grad(gx.sum(), new Tensor[] {x}, false)[0];
            // d/dx Σ ∂(Σ avg²)/∂x = d/dx Σ 2·avg/4 over each window's 4 inputs = 2·(1/4)·… = 0.5 per element.
            org.normkit.autograd.TestTensors.assertValues(Tensor.full(DType.FLOAT32, x.shape(), 0.5), second, 1e-6);
        }
    }
}
