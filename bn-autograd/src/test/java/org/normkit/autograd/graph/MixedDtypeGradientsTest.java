package org.normkit.autograd.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** Gradients keep the dtype of the tensor they belong to, whatever dtype the op or the caller computed them in. */
class MixedDtypeGradientsTest {

    @Test
    void aFloat32InputOfAFloat64OpGetsAFloat32Gradient() {
        Tensor x = Tensor.of(DType.FLOAT32, new double[] {1, 2}, Shape.of(2)).requiresGrad(true);
        Tensor w = Tensor.of(DType.FLOAT64, new double[] {0.5, -3}, Shape.of(2)).requiresGrad(true);

        x.mul(w).sum().backward();

        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[] {0.5, -3}, x.grad().toDoubleArray());
        assertEquals(DType.FLOAT64, w.grad().dtype());
        assertArrayEquals(new double[] {1, 2}, w.grad().toDoubleArray());
    }

    @Test
    void aGradientPassedInAnotherDtypeIsTakenInTheOutputsDtype() {
        Tensor x = Tensor.of(DType.FLOAT32, new double[] {1, 2}, Shape.of(2)).requiresGrad(true);

        x.mul(3.0).backward(Tensor.of(DType.FLOAT64, new double[] {0.25, 1}, Shape.of(2)));

        assertEquals(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[] {0.75, 3}, x.grad().toDoubleArray());
    }
}
