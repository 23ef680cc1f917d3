package org.normkit.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The first three steps of each optimizer on p = (1, −2, 3) with the gradients below, against the values
 * {@code torch.optim} (PyTorch 1.13, float64) printed for the same configuration and gradients.
 */
class OptimizersTest {
    private static final double[][] GRADIENTS = {{0.1, -0.2, 0.3}, {0.5, 0.5, -0.5}, {-1.0, 0.0, 2.0}};

    private static void assertSteps(Function<List<Parameter>, Optimizer> make, double[][] expected, DType dtype) {
        Parameter p = new Parameter(Tensor.of(dtype, new double[] {1, -2, 3}, Shape.of(3)));
        Optimizer optimizer = make.apply(List.of(p));
        for (int step = 0; step < GRADIENTS.length; step++) {
            p.value().setGrad(Tensor.of(dtype, GRADIENTS[step], Shape.of(3)));
            optimizer.step();
            assertArrayEquals(expected[step], p.value().toDoubleArray(), dtype == DType.FLOAT64 ? 1e-14 : 2e-6,
                    "after step " + (step + 1));
        }
    }

    @Nested
    class StochasticGradientDescent {
        @Test
        void plain() {
            assertSteps(ps -> new SGD(ps, 0.1),
                    new double[][] {{0.99, -1.98, 2.97}, {0.94, -2.03, 3.02}, {1.04, -2.03, 2.82}}, DType.FLOAT64);
        }

        @Test
        void momentumStartsFromTheFirstGradient() {
            assertSteps(ps -> new SGD(ps, 0.1, 0.9), new double[][] {
                {0.99, -1.98, 2.97},
                {0.9309999999999999, -2.012, 2.9930000000000003},
                {0.9779, -2.0408, 2.8137000000000003}}, DType.FLOAT64);
        }

        @Test
        void dampeningAndWeightDecay() {
            assertSteps(ps -> new SGD(ps, 0.1, 0.9, 0.5, 0.01, false), new double[][] {
                {0.989, -1.978, 2.967},
                {0.9536055, -1.982211, 2.9608165},
                {0.97127364725, -1.9850097945, 2.85377094175}}, DType.FLOAT64);
        }

        @Test
        void nesterov() {
            double[][] torch = {
                {0.9791, -1.9582, 2.9373},
                {0.8733297099999999, -2.03165942, 2.99998913},
                {1.0123583125509998, -2.050675125102, 2.6283529376529997}};
            assertSteps(ps -> new SGD(ps, 0.1, 0.9, 0, 0.01, true), torch, DType.FLOAT64);
            assertSteps(ps -> new SGD(ps, 0.1, 0.9, 0, 0.01, true), torch, DType.FLOAT32);
        }

        @Test
        void nesterovNeedsMomentumAndNoDampening() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SGD(params(), 0.1, 0, 0, 0, true));
            assertEquals("SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum = 0.0, "
                    + "dampening = 0.0", e.getMessage());
        }

        @Test
        void aNegativeLearningRateIsRejected() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD(params(), -0.1));
            assertTrue(e.getMessage().startsWith("SGD: lr = -0.1 is invalid"), e.getMessage());
        }
    }

    @Nested
    class AdamOptimizer {
        @Test
        void pytorchDefaults() {
            double[][] torch = {
                {0.9990000001, -1.99900000005, 2.9990000000333334},
                {0.9981389538618078, -1.9994422153021723, 2.9992935612309815},
                {0.9984058905397529, -1.9997840489717593, 2.9987437278720246}};
            assertSteps(Adam::new, torch, DType.FLOAT64);
            assertSteps(Adam::new, torch, DType.FLOAT32);
        }

        @Test
        void betasEpsAndL2WeightDecay() {
            assertSteps(ps -> new Adam(ps, 0.01, 0.8, 0.99, 1e-6, 0.1), new double[][] {
                {0.99000004999975, -1.9900000249999374, 2.990000016666639},
                {0.980576064091334, -1.989701620121317, 2.986528886597144},
                {0.9824702345892211, -1.9868735233618011, 2.979052882328976}}, DType.FLOAT64);
        }

        @Test
        void theFirstStepMovesEachElementByAboutLr() {
            // Bias correction makes step 1 exactly lr·g/(|g| + eps·...) ≈ lr·sign(g), whatever the gradient's size.
            Parameter p = new Parameter(Tensor.of(new double[] {0, 0}, 2));
            p.value().setGrad(Tensor.of(new double[] {1e-3, -50}, 2));
            new Adam(List.of(p), 0.1).step();
            assertArrayEquals(new double[] {-0.1, 0.1}, p.value().toDoubleArray(), 1e-5);
        }

        @Test
        void betasOutsideTheUnitIntervalAreRejected() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Adam(params(), 1e-3, 1.0, 0.999, 1e-8, 0));
            assertEquals("Adam: beta1 = 1.0 is outside [0, 1); PyTorch's default is 0.9", e.getMessage());
        }
    }

    @Test
    void parametersWithoutAGradientAreLeftAlone() {
        Parameter used = new Parameter(Tensor.of(new double[] {1}, 1));
        Parameter unused = new Parameter(Tensor.of(new double[] {5}, 1));
        used.value().setGrad(Tensor.of(new double[] {1}, 1));
        new Adam(List.of(used, unused), 0.5).step();
        assertEquals(5, unused.value().item());
        assertEquals(0.5, used.value().item(), 1e-6);
    }

    @Test
    void zeroGradDropsEveryGradient() {
        Linear fc = new Linear(3, 2, 1);
        Optimizer sgd = new SGD(fc.parameters(), 0.1);
        fc.forward(Tensor.ones(DType.FLOAT32, 1, 3)).sum().backward();
        sgd.zeroGrad();
        fc.parameters().forEach(p -> assertNull(p.grad()));
    }

    @Test
    void anEmptyParameterListIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1));
        assertTrue(e.getMessage().startsWith("SGD: got an empty parameter list"), e.getMessage());
    }

    @Test
    void trainingALinearModelLowersTheLoss() {
        Linear fc = new Linear(4, 3, 11);
        Adam adam = new Adam(fc.parameters(), 0.05);
        Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(32, 4), 3);
        int[] labels = new int[32];
        for (int i = 0; i < 32; i++) {
            labels[i] = x.at(i, 0) > 0 ? (x.at(i, 1) > 0 ? 0 : 1) : 2;
        }
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 100; step++) {
            adam.zeroGrad();
            Tensor loss = Losses.crossEntropy(fc.forward(x), labels);
            loss.backward();
            adam.step();
            first = step == 0 ? loss.item() : first;
            last = loss.item();
        }
        assertTrue(last < 0.5 * first, "loss went from " + first + " to " + last);
    }

    private static List<Parameter> params() {
        return List.of(new Parameter(Tensor.zeros(DType.FLOAT64, 2)));
    }
}
