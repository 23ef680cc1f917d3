package org.normkit.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.autograd.TestTensors.assertValues;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.ops.Masks;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The sequence layers against PyTorch (values from scripts/pytorch/golden_sequence_layers.py, whose weights and
 * inputs are 0.5·sin(0.37·i + offset)) and against finite differences for the input and every parameter.
 */
class SequenceLayersTest {

    /** 0.5·sin(0.37·i + offset) in row-major order, as the golden script fills its tensors. */
    private static Tensor sines(double offset, int... dims) {
        double[] v = new double[Shape.of(dims).numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.5 * Math.sin(0.37 * i + offset);
        }
        return Tensor.of(v, dims);
    }

    private static void fill(Module m, String... namesInGoldenOrder) {
        for (int k = 0; k < namesInGoldenOrder.length; k++) {
            Tensor t = m.stateDict().get(namesInGoldenOrder[k]);
            t.copyFrom(sines(k, t.shape().dims()));
        }
    }

    /**
     * Backprop against central differences for the input and each parameter of {@code m}, on L = Σ w·m(x) with a
     * fixed random w; float64 throughout.
     */
    private static void assertModuleGradients(Module m, Tensor x, java.util.function.Function<Tensor, Tensor> f) {
        Tensor input = x.copy().requiresGrad(true);
        Tensor out = f.apply(input);
        Tensor w = Tensor.randn(DType.FLOAT64, out.shape(), 7);
        m.zeroGrad();
        out.mul(w).sum().backward();
        List<Tensor> points = new java.util.ArrayList<>(List.of(input));
        List<Tensor> grads = new java.util.ArrayList<>(List.of(input.grad()));
        for (Parameter p : m.parameters()) {
            points.add(p.value());
            grads.add(p.grad());
        }
        double h = 1e-6;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (int k = 0; k < points.size(); k++) {
                double[] v = points.get(k).doubleData();
                for (int i = 0; i < v.length; i++) {
                    double saved = v[i];
                    v[i] = saved + h;
                    double plus = f.apply(input).mul(w).sum().item();
                    v[i] = saved - h;
                    double minus = f.apply(input).mul(w).sum().item();
                    v[i] = saved;
                    double numeric = (plus - minus) / (2 * h);
                    double analytic = grads.get(k) == null ? 0 : grads.get(k).get(i);
                    int tensor = k;
                    int index = i;
                    assertEquals(numeric, analytic, 1e-6 * Math.max(1, Math.abs(numeric)),
                            () -> "tensor " + tensor + " (0 = input) element " + index);
                }
            }
        }
    }

    @Nested
    class LstmLayer {
        private LSTM goldenLstm() {
            LSTM lstm = new LSTM(3, 2, 1, LSTM.NormSlots.NONE, DType.FLOAT64, new SplittableRandom(0));
            fill(lstm, "weight_ih", "weight_hh", "bias_ih", "bias_hh");
            return lstm;
        }

        @Test
        void matchesTorchLstm() {
            assertValues(new double[] {-0.012841523831837275, -0.049554721597336614, -0.007585626775524923,
                -0.06012394789469295, -0.11002761288752792, -0.1338115001604875, -0.2064072120071822,
                -0.21805706393325947, -0.26079397094296425, -0.2366977712994314, -0.13967294641582412,
                -0.13474561352965056}, goldenLstm().forward(sines(10, 2, 3, 3)), 1e-12);
        }

        @Test
        void gradientsMatchFiniteDifferencesWithNormsInEverySlot() {
            // Tanh stands in for a norm: what is checked is that each slot is wired into the cell's chain rule.
            LSTM lstm = new LSTM(3, 2, 2, (slot, features) -> new Tanh(), DType.FLOAT64, new SplittableRandom(1));
            assertModuleGradients(lstm, Tensor.randn(DType.FLOAT64, Shape.of(2, 3, 3), 3), lstm::forward);
        }

        @Test
        void perStepNormsAreRegisteredOncePerStepAndTheLastServesLongerSequences() {
            LSTM lstm = new LSTM(3, 2, 2, (slot, features) -> new Linear(features, features, true, DType.FLOAT64,
                    new SplittableRandom(features)), DType.FLOAT64, new SplittableRandom(1));
            assertTrue(lstm.stateDict().containsKey("norm_hh.1.weight"), lstm.stateDict().keySet().toString());
            assertEquals(Shape.of(2, 5, 2), lstm.forward(Tensor.randn(DType.FLOAT64, Shape.of(2, 5, 3), 3)).shape());
        }

        @Test
        void aWrongInputWidthNamesTheExpectedShape() {
            ShapeException e = assertThrows(ShapeException.class, () -> goldenLstm().forward(Tensor.zeros(DType.FLOAT64, 2, 3, 4)));
            assertTrue(e.getMessage().contains("expected input (batch, steps, 3)"), e.getMessage());
        }
    }

    @Nested
    class SelfAttention {
        private MultiHeadAttention goldenAttention() {
            MultiHeadAttention mha = new MultiHeadAttention(4, 2, DType.FLOAT64, new SplittableRandom(0));
            fill(mha, "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias");
            return mha;
        }

        private Tensor causalPadded() {
            return Masks.attention(Masks.padding(new int[] {3, 2}, 3, DType.FLOAT64), true);
        }

        @Test
        void matchesTorchMultiheadAttentionWithCausalAndPaddingMasks() {
            assertValues(new double[] {-0.6239926674415153, 0.5182208960501397, 0.5273953509247379,
                -0.896708941181904, -0.5318090154570502, 0.5390431011873046, 0.43898766526970445,
                -0.9335632832660129, -0.28835666054173353, 0.47836473855612865, 0.1845316989351814,
                -0.9190287922792107, -0.23070240169637168, 0.5119159859928674, 0.1329617323056056,
                -0.9619319050116972, -0.4177840462698009, 0.444642316317919, 0.307843751052829,
                -0.8629445618779317, -0.4268666786925666, 0.4460385383925212, 0.317179578922829,
                -0.8626477945951496}, goldenAttention().forward(sines(10, 2, 3, 4), causalPadded()), 1e-12);
        }

        @Test
        void gradientsMatchFiniteDifferences() {
            MultiHeadAttention mha = new MultiHeadAttention(4, 2, DType.FLOAT64, new SplittableRandom(2));
            Tensor keep = causalPadded();
            assertModuleGradients(mha, Tensor.randn(DType.FLOAT64, Shape.of(2, 3, 4), 5), x -> mha.forward(x, keep));
        }

        @Test
        void aCausalPositionIgnoresTheFuture() {
            MultiHeadAttention mha = goldenAttention();
            Tensor x = sines(10, 1, 3, 4);
            Tensor changed = x.copy();
            changed.set(2 * 4, 9.0);
            Tensor keep = Masks.attention(Masks.padding(new int[] {3}, 3, DType.FLOAT64), true);
            double[] before = mha.forward(x, keep).narrow(1, 0, 2).toDoubleArray();
            assertArrayEquals(before, mha.forward(changed, keep).narrow(1, 0, 2).toDoubleArray(), 0.0);
        }

        @Test
        void headsMustDivideTheWidth() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new MultiHeadAttention(6, 4, DType.FLOAT32, new SplittableRandom(0)));
            assertTrue(e.getMessage().contains("positive multiple of the head count"), e.getMessage());
        }
    }

    @Nested
    class EmbeddingTable {
        @Test
        void looksUpRowsAndScatterAddsTheirGradient() {
            Embedding e = new Embedding(3, 2, DType.FLOAT64, new SplittableRandom(0));
            e.weight().value().copyFrom(Tensor.of(new double[] {0, 1, 2, 3, 4, 5}, 3, 2));
            Tensor y = e.forward(Tensor.of(new double[] {2, 0, 2, 2}, 2, 2));
            assertEquals(Shape.of(2, 2, 2), y.shape());
            assertArrayEquals(new double[] {4, 5, 0, 1, 4, 5, 4, 5}, y.toDoubleArray());
            y.sum().backward();
            assertArrayEquals(new double[] {1, 1, 0, 0, 3, 3}, e.weight().grad().toDoubleArray());
        }

        @Test
        void aFractionalIndexIsRefused() {
            Embedding e = new Embedding(3, 2, DType.FLOAT32, new SplittableRandom(0));
            ShapeException ex = assertThrows(ShapeException.class, () -> e.forward(Tensor.of(new float[] {0.5f}, 1)));
            assertTrue(ex.getMessage().contains("not a whole number"), ex.getMessage());
        }
    }
}
