package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

class SmokeTest {
    @Test
    void broadcastMulSumBackward() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor w = Tensor.of(new double[] {10, 20, 30}, 3).requiresGrad(true);
        Tensor loss = x.mul(w).sum();
        assertEquals(10 + 40 + 90 + 40 + 100 + 180, loss.item(), 1e-12);
        loss.backward();
        assertArrayEquals(new double[] {10, 20, 30, 10, 20, 30}, x.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {5, 7, 9}, w.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void matmulAndVarianceAndPermute() {
        Tensor a = Tensor.randn(DType.FLOAT64, Shape.of(4, 3), 1).requiresGrad(true);
        Tensor b = Tensor.randn(DType.FLOAT32, Shape.of(3, 5), 2);
        Tensor c = a.matmul(b);
        assertEquals(Shape.of(4, 5), c.shape());
        assertEquals(DType.FLOAT64, c.dtype());
        double expected = 0;
        for (int k = 0; k < 3; k++) {
            expected += a.at(1, k) * b.at(k, 2);
        }
        assertEquals(expected, c.at(1, 2), 1e-6);
        c.var(new int[] {0}, false, false).sum().backward();
        assertEquals(Shape.of(4, 3), a.grad().shape());
        Tensor p = Tensor.arange(DType.FLOAT64, 0, 24, 1).reshape(2, 3, 4).permute(2, 0, 1);
        assertEquals(Shape.of(4, 2, 3), p.shape());
        assertEquals(13.0, p.at(1, 1, 0), 0);
        assertEquals(0.8427007929497149, Tensor.scalar(1.0, DType.FLOAT64).erf().item(), 1e-14);
        assertEquals(-0.9999779095030014, Tensor.scalar(-3.0, DType.FLOAT64).erf().item(), 1e-14);
    }

    @Test
    void gradCheckPassesOnComposedSoftmax() {
        var report = org.normkit.autograd.check.GradCheck.check(
                in -> in.get(0).softmax(1).mul(in.get(1)).logSoftmax(0),
                java.util.List.of(Tensor.randn(DType.FLOAT64, Shape.of(3, 4), 5), Tensor.randn(DType.FLOAT64, Shape.of(1, 4), 6)), 7);
        org.junit.jupiter.api.Assertions.assertTrue(report.passed(), report.describe());
    }
}
