package org.normkit.autograd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.ReferenceOnlyNorm;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * What each layer accepts at construction (the smallest valid sizes, the first invalid ones), what it reports about
 * itself (sizes, toString), how its parameters are initialised (inside PyTorch's bounds, both signs), the module
 * bookkeeping every layer inherits, and the rows a norm sees in a padded batch.
 */
class LayerContractsTest {
    private static SplittableRandom random() {
        return new SplittableRandom(1);
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.numel(); i++) {
            m = Math.max(m, Math.abs(t.get(i)));
        }
        return m;
    }

    private static double min(Tensor t) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < t.numel(); i++) {
            m = Math.min(m, t.get(i));
        }
        return m;
    }

    /** Uniform in (−bound, bound): inside it, near both ends, so a wrong bound or a lost sign shows. */
    private static void assertSpansTheBound(Tensor t, double bound, String what) {
        assertTrue(maxAbs(t) <= bound, what + ": " + maxAbs(t) + " above the bound " + bound);
        assertTrue(maxAbs(t) > 0.8 * bound, what + ": " + maxAbs(t) + " far below the bound " + bound);
        assertTrue(min(t) < -0.5 * bound, what + ": no value well below zero (" + min(t) + ")");
    }

    @Nested
    class Construction {
        @Test
        void theSmallestLayersAreAccepted() {
            assertDoesNotThrow(() -> new Conv2d(1, 1, 1, 1, 0, true, DType.FLOAT32, random()));
            assertDoesNotThrow(() -> new Linear(1, 1, random()));
            assertDoesNotThrow(() -> new Embedding(1, 1, DType.FLOAT32, random()));
            assertDoesNotThrow(() -> new MultiHeadAttention(1, 1, DType.FLOAT64, random()));
            assertDoesNotThrow(() -> new LSTM(1, 1, 1, LSTM.NormSlots.NONE, DType.FLOAT64, random()));
            assertDoesNotThrow(() -> new Dropout(0, 1));
            assertDoesNotThrow(() -> new Dropout(1, 1));
            assertEquals(1.0, Init.defaultBound(1));
        }

        @Test
        void aConvolutionRefusesEachInvalidSizeNamingAll() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Conv2d(1, 1, 1, 1, -1, true, DType.FLOAT32, random()));
            assertEquals("Conv2d(in=1, out=1, kernel=1, stride=1, padding=-1): channels, kernel size and stride must "
                    + "be >= 1 and padding >= 0", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 1, 0, 0, true, DType.FLOAT32, random()));
            assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 0, 1, 0, true, DType.FLOAT32, random()));
            assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 0, 1, 1, 0, true, DType.FLOAT32, random()));
            assertThrows(IllegalArgumentException.class, () -> new Conv2d(0, 1, 1, 1, 0, true, DType.FLOAT32, random()));
        }

        @Test
        void otherLayersRefuseEmptySizes() {
            assertEquals("Linear(1 -> 0): both feature counts must be >= 1",
                    assertThrows(IllegalArgumentException.class, () -> new Linear(1, 0, random())).getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Linear(0, 1, random()));
            assertEquals("Embedding(1, 0): the table needs at least one entry of at least one value",
                    assertThrows(IllegalArgumentException.class,
                            () -> new Embedding(1, 0, DType.FLOAT32, random())).getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 1, DType.FLOAT32, random()));
            assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(0, 1, DType.FLOAT64, random()));
            assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(2, 0, DType.FLOAT64, random()));
            assertEquals("MultiHeadAttention(4, heads=3): the model width must be a positive multiple of the head "
                    + "count, e.g. 64 with 4 heads", assertThrows(IllegalArgumentException.class,
                            () -> new MultiHeadAttention(4, 3, DType.FLOAT64, random())).getMessage());
            assertEquals("LSTM(1, 1, normSteps=0): sizes and the number of per-step norms must be >= 1",
                    assertThrows(IllegalArgumentException.class,
                            () -> new LSTM(1, 1, 0, LSTM.NormSlots.NONE, DType.FLOAT64, random())).getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new LSTM(1, 0, 1, LSTM.NormSlots.NONE, DType.FLOAT64, random()));
            assertThrows(IllegalArgumentException.class,
                    () -> new LSTM(0, 1, 1, LSTM.NormSlots.NONE, DType.FLOAT64, random()));
        }

        @Test
        void dropoutRefusesWhatIsNotAProbability() {
            assertEquals("Dropout: p = -0.1 is not a probability; use a value in [0, 1] (PyTorch's default is 0.5)",
                    assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1, 1)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Dropout(1.1, 1));
            assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN, 1));
        }

        @Test
        void initialisationNeedsAFanIn() {
            assertEquals("initialisation needs fan_in >= 1, got 0; a layer with no inputs has nothing to scale by",
                    assertThrows(IllegalArgumentException.class, () -> Init.defaultBound(0)).getMessage());
        }
    }

    @Nested
    class Description {
        @Test
        void layersReportTheirSizes() {
            Conv2d conv = new Conv2d(2, 3, 5, 2, 1, true, DType.FLOAT32, random());
            assertEquals(List.of(2, 3, 5, 2, 1),
                    List.of(conv.inChannels(), conv.outChannels(), conv.kernelSize(), conv.stride(), conv.padding()));
            Linear linear = new Linear(4, 7, random());
            assertEquals(List.of(4, 7), List.of(linear.inFeatures(), linear.outFeatures()));
            assertEquals(6, new LSTM(2, 6, 1, LSTM.NormSlots.NONE, DType.FLOAT64, random()).hiddenSize());
            assertEquals(0.25, new Dropout(0.25, 1).p());
        }

        @Test
        void toStringNamesTheLayerAndItsSettings() {
            assertEquals("Conv2d(2 -> 3, kernel 5, stride 2, padding 1)",
                    new Conv2d(2, 3, 5, 2, 1, true, DType.FLOAT32, random()).toString());
            assertEquals("Conv2d(2 -> 3, kernel 5, stride 1, padding 0, no bias)",
                    new Conv2d(2, 3, 5, 1, 0, false, DType.FLOAT32, random()).toString());
            assertEquals("Linear(4 -> 7, no bias)", new Linear(4, 7, false, DType.FLOAT32, random()).toString());
            assertEquals("Embedding(3, 2)", new Embedding(3, 2, DType.FLOAT32, random()).toString());
            assertEquals("Dropout(p=0.25)", new Dropout(0.25, 1).toString());
            assertEquals("MultiHeadAttention(8, heads=2)",
                    new MultiHeadAttention(8, 2, DType.FLOAT64, random()).toString());
            assertEquals("LSTM(2, 6)", new LSTM(2, 6, 1, LSTM.NormSlots.NONE, DType.FLOAT64, random()).toString());
            assertEquals("LSTM(2, 6, norms per step for 2 steps)",
                    new LSTM(2, 6, 2, LSTM.NormSlots.NONE, DType.FLOAT64, random()).toString());
            assertEquals("AvgPool2d(kernel 2, stride 2, padding 0)", new AvgPool2d(2).toString());
            assertEquals("AvgPool2d(kernel 3, stride 2, padding 1, padding not counted)",
                    new AvgPool2d(3, 2, 1, false).toString());
            assertEquals("MaxPool2d(kernel 3, stride 3, padding 0)", new MaxPool2d(3).toString());
            assertEquals("Flatten(from 1)", new Flatten().toString());
            assertEquals(List.of("ReLU", "Identity", "GELU", "Sigmoid"), List.of(new ReLU().toString(),
                    new Identity().toString(), new GELU().toString(), new Sigmoid().toString()));
        }
    }

    @Nested
    class Initialisation {
        @Test
        void lstmParametersAreUniformWithinOneOverTheSquareRootOfTheHiddenSize() {
            LSTM lstm = new LSTM(5, 16, 1, LSTM.NormSlots.NONE, DType.FLOAT64, random());
            double bound = 1 / Math.sqrt(16);
            for (String name : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
                assertSpansTheBound(lstm.stateDict().get(name), bound, name);
            }
        }

        @Test
        void attentionProjectionsAreXavierUniformWithZeroBiases() {
            MultiHeadAttention attention = new MultiHeadAttention(16, 4, DType.FLOAT64, random());
            var state = attention.stateDict();
            assertSpansTheBound(state.get("in_proj_weight"), Math.sqrt(6.0 / (16 + 3 * 16)), "in_proj_weight");
            assertEquals(0, maxAbs(state.get("in_proj_bias")));
            assertEquals(0, maxAbs(state.get("out_proj.bias")));
        }

        @Test
        void attentionWithoutAMaskIsAttentionWithANullMask() {
            MultiHeadAttention attention = new MultiHeadAttention(4, 2, DType.FLOAT64, random());
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(2, 3, 4), 5);
            assertArrayEquals(attention.forward(x, null).toDoubleArray(), attention.forward(x).toDoubleArray());
            assertEquals(Shape.of(2, 3, 4), attention.forward(x).shape());
        }

        @Test
        void dropoutKeepsAboutOneMinusPOfTheElementsScaledByItsReciprocal() {
            for (DType dtype : DType.values()) {
                Dropout dropout = new Dropout(0.25, 3);
                Tensor out = dropout.forward(Tensor.ones(dtype, 10_000));
                int kept = 0;
                for (int i = 0; i < out.numel(); i++) {
                    if (out.get(i) != 0) {
                        kept++;
                        assertEquals(1 / 0.75, out.get(i), 1e-6, dtype.toString());
                    }
                }
                assertTrue(kept > 7_200 && kept < 7_800, dtype + ": kept " + kept + " of 10000");
            }
        }
    }

    /** Test-only: records its inputs' row counts and returns 2·x. */
    private static final class Doubling extends Module {
        final List<Integer> rowsSeen = new ArrayList<>();

        @Override
        public Tensor forward(Tensor x) {
            rowsSeen.add(x.dim(0));
            return x.mul(2.0);
        }
    }

    /** Test-only norm: y = x + 10 on its own, or x + 100 on the valid rows (0 elsewhere) when it takes a mask. */
    private static final class ShiftingNorm extends ReferenceOnlyNorm {
        private final boolean takesMask;
        PositionMask seen;

        ShiftingNorm(boolean takesMask) {
            this.takesMask = takesMask;
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.add(10.0);
        }

        @Override
        public boolean takesMask() {
            return takesMask;
        }

        @Override
        public Tensor forward(Tensor x, PositionMask mask) {
            if (!takesMask) {
                return super.forward(x, mask);
            }
            seen = mask;
            return x.add(100.0).mul(mask.expandTo(x.shape(), x.dtype()));
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            return forward(x);
        }
    }

    @Nested
    class PaddedRows {
        private final Tensor rows = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);

        @Test
        void withoutPaddingTheLayerSeesEveryRow() {
            Doubling layer = new Doubling();
            assertArrayEquals(new double[] {2, 4, 6, 8, 10, 12, 14, 16},
                    ValidRows.apply(layer, rows, null).toDoubleArray());
            assertArrayEquals(new double[] {2, 4, 6, 8, 10, 12, 14, 16},
                    ValidRows.apply(layer, rows, new int[] {0, 1, 2, 3}).toDoubleArray());
            assertEquals(List.of(4, 4), layer.rowsSeen);
        }

        @Test
        void aLayerSeesOnlyTheValidRowsAndPaddedRowsPassThrough() {
            Doubling layer = new Doubling();
            assertArrayEquals(new double[] {2, 4, 3, 4, 10, 12, 7, 8},
                    ValidRows.apply(layer, rows, new int[] {0, 2}).toDoubleArray());
            assertEquals(List.of(2), layer.rowsSeen);
        }

        @Test
        void aNormThatTakesAMaskGetsTheRowsMask() {
            ShiftingNorm norm = new ShiftingNorm(true);
            assertArrayEquals(new double[] {101, 102, 3, 4, 5, 6, 107, 108},
                    ValidRows.apply(norm, rows, new int[] {0, 3}).toDoubleArray());
            assertEquals(Shape.of(4), norm.seen.positions());
            assertEquals(2, norm.seen.validCount());
        }

        @Test
        void aNormThatTakesNoMaskSeesTheValidRowsLikeAnyLayer() {
            assertArrayEquals(new double[] {11, 12, 3, 4, 5, 6, 17, 18},
                    ValidRows.apply(new ShiftingNorm(false), rows, new int[] {0, 3}).toDoubleArray());
        }

        @Test
        void anLstmsNormsSeeTheSequencesStillRunningAndAllRowsWhenFewerThanTwoAre() {
            List<Doubling> cellNorms = new ArrayList<>();
            LSTM lstm = new LSTM(2, 3, 1, (slot, features) -> {
                if (!slot.equals("norm_c")) {
                    return null;
                }
                Doubling d = new Doubling();
                cellNorms.add(d);
                return d;
            }, DType.FLOAT64, random());

            lstm.run(Tensor.randn(DType.FLOAT64, Shape.of(3, 3, 2), 4), new int[] {3, 1, 2});

            assertEquals(List.of(3, 2, 3), cellNorms.get(0).rowsSeen);
        }

        @Test
        void anLstmWithNormsPerStepRegistersOneSetPerStep() {
            LSTM lstm = new LSTM(2, 3, 2, (slot, features) -> new Identity(), DType.FLOAT64, random());
            assertEquals(List.of("norm_ih.0", "norm_hh.0", "norm_c.0", "norm_ih.1", "norm_hh.1", "norm_c.1"),
                    List.copyOf(lstm.children().keySet()));
        }
    }

    /** Test-only: a parameter, a buffer and a child, registered under names the tests choose. */
    private static final class Holder extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }

        Parameter parameter(String name) {
            return registerParameter(name, Tensor.zeros(DType.FLOAT64, 2));
        }

        Tensor buffer(String name) {
            return registerBuffer(name, Tensor.ones(DType.FLOAT64, 1));
        }

        Module child(String name, Module child) {
            return registerChild(name, child);
        }
    }

    @Nested
    class Bookkeeping {
        @Test
        void aNameIsTakenByWhicheverMemberRegisteredItFirst() {
            Holder holder = new Holder();
            holder.parameter("a");
            holder.buffer("b");
            holder.child("c", new Identity());
            for (String name : List.of("a", "b", "c")) {
                assertEquals("Holder already has a member named '" + name + "'",
                        assertThrows(IllegalArgumentException.class, () -> holder.parameter(name)).getMessage());
                assertThrows(IllegalArgumentException.class, () -> holder.buffer(name));
                assertThrows(IllegalArgumentException.class, () -> holder.child(name, new Identity()));
            }
        }

        @Test
        void theStateDictHoldsParametersBuffersAndChildrensEntriesByDottedName() {
            Holder inner = new Holder();
            inner.parameter("w");
            Tensor innerBuffer = inner.buffer("running");
            Holder outer = new Holder();
            outer.parameter("w");
            Tensor buffer = outer.buffer("count");
            outer.child("inner", inner);

            var state = outer.stateDict();

            assertEquals(List.of("w", "count", "inner.w", "inner.running"), List.copyOf(state.keySet()));
            assertSame(buffer, state.get("count"));
            assertSame(innerBuffer, state.get("inner.running"));
        }

        @Test
        void trainAndEvalReturnTheModuleAndReachEveryDescendant() {
            Holder outer = new Holder();
            Holder inner = new Holder();
            outer.child("inner", inner);

            assertSame(outer, outer.eval());
            assertTrue(!inner.isTraining());
            assertSame(outer, outer.train());
            assertTrue(inner.isTraining());
            assertSame(outer, outer.train(false));
        }

        @Test
        void zeroGradClearsEveryParametersGradient() {
            Holder outer = new Holder();
            Parameter p = outer.parameter("w");
            Holder inner = new Holder();
            Parameter q = inner.parameter("v");
            outer.child("inner", inner);
            p.value().mul(q.value()).sum().backward();

            outer.zeroGrad();

            assertNull(p.grad());
            assertNull(q.grad());
        }
    }

    @Nested
    class Sequences {
        @Test
        void aSequentialGivesItsLayersByIndexAndRefusesOthers() {
            ReLU first = new ReLU();
            Identity second = new Identity();
            Sequential net = new Sequential(first, second);

            assertSame(first, net.get(0));
            assertSame(second, net.get(1));
            assertEquals(2, net.size());
            assertEquals(List.of(first, second), net.layers());
            assertThrows(UnsupportedOperationException.class, () -> net.layers().add(new ReLU()));
            assertEquals("Sequential.get(2): the net has 2 layers, indices 0 to 1",
                    assertThrows(IndexOutOfBoundsException.class, () -> net.get(2)).getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> net.get(-1));
        }

        @Test
        void aSequentialPrintsOneIndentedLinePerLayer() {
            assertEquals("Sequential()", new Sequential().toString());
            assertEquals("Sequential(\n  (0): ReLU\n  (1): Sequential(\n    (0): Identity\n  )\n)",
                    new Sequential(new ReLU(), new Sequential(new Identity())).toString());
        }
    }
}
