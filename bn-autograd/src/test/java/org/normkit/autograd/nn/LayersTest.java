package org.normkit.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

class LayersTest {

    /** Every value lies within ±1/√fanIn, and the values spread over most of that range (not all near 0). */
    private static void assertDefaultInit(Tensor t, int fanIn) {
        double bound = 1 / Math.sqrt(fanIn);
        double lowest = Double.POSITIVE_INFINITY;
        double highest = Double.NEGATIVE_INFINITY;
        for (double v : t.toDoubleArray()) {
            assertTrue(Math.abs(v) <= (float) bound, () -> v + " outside ±" + bound);
            lowest = Math.min(lowest, v);
            highest = Math.max(highest, v);
        }
        if (t.numel() >= 100) {
            assertTrue(lowest < -0.9 * bound && highest > 0.9 * bound, "values cover the range: " + lowest + ".." + highest);
        }
    }

    @Nested
    class LinearLayer {
        @Test
        void mapsTheLastAxisAndKeepsTheOthers() {
            Linear fc = new Linear(5, 3, 1);
            assertEquals(Shape.of(4, 3), fc.forward(Tensor.zeros(DType.FLOAT32, 4, 5)).shape());
            assertEquals(Shape.of(2, 4, 3), fc.forward(Tensor.zeros(DType.FLOAT32, 2, 4, 5)).shape());
            assertEquals(Shape.of(3), fc.forward(Tensor.zeros(DType.FLOAT32, 5)).shape());
            assertEquals(List.of("weight", "bias"), List.copyOf(fc.stateDict().keySet()));
            assertEquals(Shape.of(3, 5), fc.weight().value().shape());
        }

        @Test
        void computesXTimesWeightTransposedPlusBias() {
            Linear fc = new Linear(2, 2, true, DType.FLOAT64, new SplittableRandom(0));
            fc.weight().value().copyFrom(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
            fc.bias().value().copyFrom(Tensor.of(new double[] {10, 20}, 2));
            Tensor y = fc.forward(Tensor.of(new double[] {1, 1, 2, 0}, 2, 2));
            assertArrayEquals(new double[] {13, 27, 12, 26}, y.toDoubleArray());
        }

        @Test
        void initialisesWithinPyTorchsBoundsFromTheSeed() {
            Linear fc = new Linear(784, 256, 7);
            assertDefaultInit(fc.weight().value(), 784);
            assertDefaultInit(fc.bias().value(), 784);
            assertEquals(DType.FLOAT32, fc.weight().value().dtype());
        }

        @Test
        void theSameSeedGivesTheSameNumbersAndAnotherSeedOthers() {
            assertArrayEquals(new Linear(10, 4, 3).weight().value().toFloatArray(),
                    new Linear(10, 4, 3).weight().value().toFloatArray());
            assertFalse(java.util.Arrays.equals(new Linear(10, 4, 3).weight().value().toFloatArray(),
                    new Linear(10, 4, 4).weight().value().toFloatArray()));
        }

        @Test
        void canBeBuiltWithoutBias() {
            Linear fc = new Linear(3, 2, false, DType.FLOAT64, new SplittableRandom(1));
            assertNull(fc.bias());
            assertEquals(1, fc.parameters().size());
        }

        @Test
        void aWrongFeatureCountSaysHowManyAreExpected() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> new Linear(784, 256, 1).forward(Tensor.zeros(DType.FLOAT32, 128, 783)));
            assertEquals("Linear(784 -> 256): input of shape (128, 783) must have 784 features in its last dimension; "
                    + "flatten images first, e.g. Flatten or x.flatten(1)", e.getMessage());
        }
    }

    @Nested
    class Convolutions {
        @Test
        void outputShapesFollowKernelStrideAndPadding() {
            Tensor x = Tensor.zeros(DType.FLOAT32, 2, 1, 28, 28);
            SplittableRandom r = new SplittableRandom(0);
            assertEquals(Shape.of(2, 6, 24, 24), new Conv2d(1, 6, 5, r).forward(x).shape());
            assertEquals(Shape.of(2, 6, 28, 28), new Conv2d(1, 6, 5, 1, 2, r).forward(x).shape());
            assertEquals(Shape.of(2, 4, 14, 14), new Conv2d(1, 4, 3, 2, 1, r).forward(x).shape());
        }

        @Test
        void initialisesWithFanInOfChannelsTimesKernelArea() {
            Conv2d conv = new Conv2d(6, 16, 5, new SplittableRandom(3));
            assertEquals(Shape.of(16, 6, 5, 5), conv.weight().value().shape());
            assertDefaultInit(conv.weight().value(), 6 * 25);
            assertDefaultInit(conv.bias().value(), 6 * 25);
        }

        @Test
        void poolsHalveLeNetsFeatureMaps() {
            Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(2, 6, 24, 24), 1);
            assertEquals(Shape.of(2, 6, 12, 12), new MaxPool2d(2).forward(x).shape());
            assertEquals(Shape.of(2, 6, 12, 12), new AvgPool2d(2).forward(x).shape());
            assertEquals(Shape.of(2, 6, 12, 12), new AvgPool2d(3, 2, 1).forward(x).shape());
        }
    }

    @Nested
    class DropoutLayer {
        @Test
        void theSameSeedDropsTheSameElements() {
            Tensor x = Tensor.ones(DType.FLOAT32, 1000);
            assertArrayEquals(new Dropout(0.3, 9).forward(x).toFloatArray(), new Dropout(0.3, 9).forward(x).toFloatArray());
            assertFalse(java.util.Arrays.equals(new Dropout(0.3, 9).forward(x).toFloatArray(),
                    new Dropout(0.3, 10).forward(x).toFloatArray()));
        }

        @Test
        void survivorsAreScaledByOneOverKeepProbability() {
            Tensor y = new Dropout(0.25, 1).forward(Tensor.ones(DType.FLOAT64, 20_000));
            long kept = 0;
            for (double v : y.toDoubleArray()) {
                assertTrue(v == 0 || Math.abs(v - 1 / 0.75) < 1e-12, "value " + v);
                kept += v == 0 ? 0 : 1;
            }
            assertEquals(0.75, kept / 20_000.0, 0.02);
        }

        @Test
        void evalModeIsTheIdentity() {
            Dropout d = new Dropout(0.5, 1);
            d.eval();
            Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(10), 1);
            assertSame(x, d.forward(x));
        }

        @Test
        void probabilityOneDropsEverythingAndGradientsFlowOnlyThroughSurvivors() {
            Tensor x = Tensor.ones(DType.FLOAT64, 6).requiresGrad(true);
            assertArrayEquals(new double[6], new Dropout(1.0, 1).forward(x).toDoubleArray());
            Tensor y = new Dropout(0.5, 2).forward(x);
            y.sum().backward();
            assertArrayEquals(y.toDoubleArray(), x.grad().toDoubleArray());
        }

        @Test
        void probabilityOutsideTheUnitIntervalIsRejected() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5, 1));
            assertTrue(e.getMessage().startsWith("Dropout: p = 1.5 is not a probability"), e.getMessage());
        }
    }

    @Nested
    class Containers {
        @Test
        void sequentialNamesChildrenByPositionAndChainsThem() {
            SplittableRandom r = new SplittableRandom(0);
            Sequential net = new Sequential(new Flatten(), new Linear(12, 5, r), new ReLU()).add(new Linear(5, 2, r));
            assertEquals(List.of("0", "1", "2", "3"), List.copyOf(net.children().keySet()));
            assertEquals(List.of("1.weight", "1.bias", "3.weight", "3.bias"), List.copyOf(net.stateDict().keySet()));
            assertEquals(Shape.of(4, 2), net.forward(Tensor.randn(DType.FLOAT32, Shape.of(4, 3, 2, 2), 1)).shape());
            assertEquals(4, net.parameters().size());
            assertTrue(net.toString().contains("(1): Linear(12 -> 5)"), net.toString());
        }

        @Test
        void trainAndEvalReachEveryChild() {
            Dropout d = new Dropout(0.5, 1);
            Sequential net = new Sequential(new Identity(), new Sequential(d));
            net.eval();
            assertFalse(d.isTraining());
            net.train();
            assertTrue(d.isTraining());
        }

        @Test
        void identityAndFlattenDoWhatTheySay() {
            Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(2, 3, 4), 1);
            assertSame(x, new Identity().forward(x));
            assertEquals(Shape.of(2, 12), new Flatten().forward(x).shape());
            assertEquals(Shape.of(24), new Flatten(0).forward(x).shape());
        }
    }

    @Test
    void activationsComputeTheirFunctions() {
        Tensor x = Tensor.of(new double[] {-2, 0.5, 3}, 3);
        assertArrayEquals(new double[] {0, 0.5, 3}, new ReLU().forward(x).toDoubleArray());
        double[] sigmoid = new Sigmoid().forward(x).toDoubleArray();
        double[] tanh = new Tanh().forward(x).toDoubleArray();
        double[] gelu = new GELU().forward(x).toDoubleArray();
        for (int i = 0; i < 3; i++) {
            double v = x.get(i);
            assertEquals(1 / (1 + Math.exp(-v)), sigmoid[i], 1e-15);
            assertEquals(Math.tanh(v), tanh[i], 1e-15);
        }
        // torch.nn.functional.gelu(torch.tensor([-2, 0.5, 3], dtype=torch.float64))
        assertArrayEquals(new double[] {-0.04550026389635842, 0.34573123063700656, 2.99595030590511}, gelu, 1e-14);
        assertNotEquals(0, new Tanh().toString().length());
    }

    @Test
    void reluGivesNoGradientAtZeroAsTorchRelu() {
        Tensor x = Tensor.of(new double[] {-1, 0, 2}, 3).requiresGrad(true);
        new ReLU().forward(x).sum().backward();
        assertArrayEquals(new double[] {0, 0, 1}, x.grad().toDoubleArray());
    }
}
