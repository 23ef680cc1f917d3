package org.normkit.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * SGD's and Adam's updates of both dtypes, two steps each, against PyTorch's formulas written out here in double,
 * including a gradient of the other dtype than its parameter; the learning rates they report; Adam's β range.
 */
class UpdateFormulasTest {
    private static final double[] START = {0.5, -1.5, 2};
    private static final double[][] GRADIENTS = {{0.25, -1, 3}, {-0.5, 0.75, 1}};

    private static Parameter parameter(DType dtype) {
        return new Parameter(Tensor.of(dtype, START, Shape.of(3)));
    }

    private static void step(Optimizer optimizer, Parameter p, double[] gradient, DType gradientType) {
        p.value().setGrad(Tensor.of(gradientType, gradient, Shape.of(3)));
        optimizer.step();
    }

    private static void assertValues(double[] expected, Parameter p, String what) {
        double tolerance = p.value().dtype() == DType.FLOAT32 ? 2e-6 : 1e-14;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], p.value().get(i), tolerance * Math.max(1, Math.abs(expected[i])),
                    what + " element " + i);
        }
    }

    @Test
    void sgdWithMomentumDampeningAndWeightDecayFollowsPyTorch() {
        double lr = 0.1;
        double momentum = 0.9;
        double dampening = 0.25;
        double decay = 0.01;
        for (DType dtype : DType.values()) {
            for (DType gradientType : DType.values()) {
                for (boolean nesterov : new boolean[] {false, true}) {
                    Parameter p = parameter(dtype);
                    SGD sgd = new SGD(List.of(p), lr, momentum, nesterov ? 0 : dampening, decay, nesterov);
                    double[] x = START.clone();
                    double[] buf = new double[3];
                    for (int t = 0; t < GRADIENTS.length; t++) {
                        step(sgd, p, GRADIENTS[t], gradientType);
                        for (int i = 0; i < 3; i++) {
                            double g = GRADIENTS[t][i] + decay * x[i];
                            buf[i] = t == 0 ? g : momentum * buf[i] + (1 - (nesterov ? 0 : dampening)) * g;
                            x[i] -= lr * (nesterov ? g + momentum * buf[i] : buf[i]);
                        }
                    }
                    assertValues(x, p, "SGD " + dtype + " with a " + gradientType + " gradient, nesterov "
                            + nesterov);
                }
            }
        }
        assertEquals(0.1, new SGD(List.of(parameter(DType.FLOAT64)), 0.1).lr());
    }

    @Test
    void adamFollowsPyTorchWithBiasCorrectionAndWeightDecay() {
        double lr = 0.01;
        double beta1 = 0.8;
        double beta2 = 0.9;
        double eps = 1e-3;
        double decay = 0.05;
        for (DType dtype : DType.values()) {
            for (DType gradientType : DType.values()) {
                Parameter p = parameter(dtype);
                Adam adam = new Adam(List.of(p), lr, beta1, beta2, eps, decay);
                double[] x = START.clone();
                double[] m = new double[3];
                double[] v = new double[3];
                for (int t = 1; t <= GRADIENTS.length; t++) {
                    step(adam, p, GRADIENTS[t - 1], gradientType);
                    for (int i = 0; i < 3; i++) {
                        double g = GRADIENTS[t - 1][i] + decay * x[i];
                        m[i] = beta1 * m[i] + (1 - beta1) * g;
                        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                        double mHat = m[i] / (1 - Math.pow(beta1, t));
                        double vHat = v[i] / (1 - Math.pow(beta2, t));
                        x[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                    }
                }
                assertValues(x, p, "Adam " + dtype + " with a " + gradientType + " gradient");
            }
        }
        assertEquals(0.01, new Adam(List.of(parameter(DType.FLOAT64)), 0.01).lr());
    }

    @Test
    void adamTakesBetasFromZeroUpToButNotIncludingOne() {
        assertDoesNotThrow(() -> new Adam(List.of(parameter(DType.FLOAT64)), 0.01, 0, 0, 1e-8, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Adam(List.of(parameter(DType.FLOAT64)), 0.01, 1, 0.999, 1e-8, 0));
        assertEquals("Adam: beta1 = 1.0 is outside [0, 1); PyTorch's default is 0.9", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Adam(List.of(parameter(DType.FLOAT64)), 0.01, -0.1, 0.999, 1e-8, 0));
    }
}
