package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.normkit.autograd.TestTensors.assertGradients;
import static org.normkit.autograd.TestTensors.assertSecondOrderGradients;
import static org.normkit.autograd.TestTensors.assertValues;
import static org.normkit.autograd.TestTensors.randn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * The fused linear layer ({@link MatMul#linear}) against the composition it replaces, {@code matmulTransposed(x, w)
 * .add(b)}: the same output and the same gradients of x, w and b, to the bit, in both dtypes and for 2-d and 3-d
 * inputs (a (B·T) row count that is not a multiple of the bias sum's four-row sweep included); finite differences of
 * its gradients and of their gradients.
 */
class FusedLinearTest {

    private static void assertBitsOfTheComposition(DType dtype, int... xDims) {
        int k = xDims[xDims.length - 1];
        Tensor xValues = randn(1, xDims).mul(2.0).to(dtype);
        Tensor wValues = randn(2, 6, k).to(dtype);
        Tensor bValues = randn(3, 6).to(dtype);
        Tensor[] fusedIn = {xValues.copy().requiresGrad(true), wValues.copy().requiresGrad(true),
            bValues.copy().requiresGrad(true)};
        Tensor[] composedIn = {xValues.copy().requiresGrad(true), wValues.copy().requiresGrad(true),
            bValues.copy().requiresGrad(true)};
        Tensor fused = MatMul.linear(fusedIn[0], fusedIn[1], fusedIn[2]);
        Tensor composed = MatMul.matmulTransposed(composedIn[0], composedIn[1]).add(composedIn[2]);
        assertValues(composed, fused, 0.0);
        Tensor weights = randn(4, fused.shape().dims()).to(dtype);
        Tensor[] gradFused = Backprop.grad(new Tensor[] {fused}, fusedIn, new Tensor[] {weights}, false, false, false);
        Tensor[] gradComposed = Backprop.grad(new Tensor[] {composed}, composedIn, new Tensor[] {weights}, false,
                false, false);
        for (int i = 0; i < 3; i++) {
            assertEquals(dtype, gradFused[i].dtype());
            assertValues(gradComposed[i], gradFused[i], 0.0);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void aBatchOfRowsIsTheCompositionToTheBit(DType dtype) {
        assertBitsOfTheComposition(dtype, 9, 5);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void sequencesOfTokensAreTheCompositionToTheBit(DType dtype) {
        assertBitsOfTheComposition(dtype, 3, 7, 5);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        assertGradients(in -> MatMul.linear(in.get(0), in.get(1), in.get(2)), randn(5, 2, 3, 4), randn(6, 5, 4),
                randn(7, 5));
    }

    @Test
    void gradientsOfGradientsMatchFiniteDifferences() {
        assertSecondOrderGradients(in -> MatMul.linear(in.get(0), in.get(1), in.get(2)), randn(8, 3, 4),
                randn(9, 2, 4), randn(10, 2));
    }

    @Test
    void withoutABiasItIsTheProductAlone() {
        Tensor x = randn(11, 4, 3);
        Tensor w = randn(12, 2, 3);
        assertValues(MatMul.matmulTransposed(x, w), MatMul.linear(x, w, null), 0.0);
    }

    @Test
    void theBiasGradientSumsTheOutputGradientOverEveryRow() {
        Tensor x = randn(13, 4, 3);
        Tensor w = randn(14, 2, 3).requiresGrad(true);
        Tensor b = randn(15, 2).requiresGrad(true);
        Tensor[] grads = Backprop.grad(new Tensor[] {MatMul.linear(x, w, b)}, new Tensor[] {w, b},
                new Tensor[] {Tensor.ones(DType.FLOAT64, 4, 2)}, false, false, false);
        assertValues(new double[] {4, 4}, grads[1], 0.0);
    }
}
