package org.normkit.variants.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.variants.Close.assertClose;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.core.NormLayer;
import org.normkit.core.ContractPreset;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

class LayerNormTest {
    private static final InputContract CONTRACT = NormRegistry.loadDefault().get("layer_norm").contract();

    private static NormSpec spec(int numFeatures, String normalizedShape) {
        NormSpec s = NormSpec.of(numFeatures).withDtype(DType.FLOAT64);
        return normalizedShape == null ? s : s.withOption("normalized_shape", normalizedShape);
    }

    private static Tensor input(int... shape) {
        return Tensor.randn(DType.FLOAT64, Shape.of(shape), 7).mul(3.0).add(2.0);
    }

    @Nested
    class Contract {
        private Shape normalizedShapeFor(Shape input) {
            return ContractPreset.normalizedShape(LayerNorm.NAME, CONTRACT.specFor(input, NormSpec.of(1)));
        }

        @Test
        void ranksTwoAndThreeNormaliseOverTheLastDimension() {
            assertEquals(Shape.of(1024), normalizedShapeFor(Shape.of(256, 1024)));
            assertEquals(Shape.of(768), normalizedShapeFor(Shape.of(32, 128, 768)));
            assertEquals(Shape.of(5), normalizedShapeFor(Shape.of(5)));
        }

        @Test
        void rankFourAndMoreNormaliseOverEverythingButTheBatch() {
            assertEquals(Shape.of(64, 56, 56), normalizedShapeFor(Shape.of(32, 64, 56, 56)));
            assertEquals(Shape.of(3, 4, 5, 6), normalizedShapeFor(Shape.of(2, 3, 4, 5, 6)));
        }

        @Test
        void anExplicitNormalizedShapeWinsAndSetsNumFeaturesToItsProduct() {
            NormSpec s = CONTRACT.specFor(Shape.of(2, 3, 4, 5), NormSpec.of(1).withOption("normalized_shape", "4,5"));
            assertEquals(20, s.numFeatures());
            assertEquals(Shape.of(4, 5), ContractPreset.normalizedShape(LayerNorm.NAME, s));
            assertFalse(s.trackRunningStats(), "LayerNorm keeps no running statistics");
            assertEquals(Shape.of(4, 5), ContractPreset.normalizedShape(LayerNorm.NAME, CONTRACT.specFor(Shape.of(2, 3, 4, 5),
                    Map.of("normalized_shape", "4,5"))));
        }

        @Test
        void benchmarkShapeIsATransformerBlockOverItsModelDimension() {
            assertEquals(List.of(Shape.of(32, 128, 768)), CONTRACT.benchmarkShapes());
            assertEquals(768, CONTRACT.specFor(Shape.of(32, 128, 768), NormSpec.of(1)).numFeatures());
        }

        @Test
        void aNormalizedShapeThatIsNotTheTailIsRefusedNamingBothShapes() {
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class, () -> CONTRACT.specFor(
                    Shape.of(2, 3, 4, 6), NormSpec.of(1).withOption("normalized_shape", "4,5")));
            assertTrue(e.getMessage().contains("normalized_shape (4, 5) must be the tail of the input's shape")
                    && e.getMessage().contains("got input of shape (2, 3, 4, 6)"), e.getMessage());
        }
    }

    @Nested
    class BadInput {
        @Test
        void normalizedShapeMustBeTheTailOfTheInputShape() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> new LayerNorm().create(spec(20, "4,5")).forward(input(2, 3, 4, 6)));
            assertEquals("layer_norm: normalized_shape (4, 5) must be the tail of the input's shape: expected an input "
                    + "of shape (*, 4, 5), got input of shape (2, 3, 4, 6); build the layer with the input's last "
                    + "dimensions as normalized_shape", e.getMessage());
            assertThrows(ShapeException.class, () -> new LayerNorm().create(spec(20, "4,5")).forward(input(5)));
            assertThrows(ShapeException.class, () -> new LayerNorm().create(spec(20, "4,5")).forward(input(5, 4)));
        }

        @Test
        void aNormalizedShapeThatDoesNotParseNamesTheOptionTheValueAndTheForm() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LayerNorm().create(spec(20, "4,x")));
            assertEquals("layer_norm: option normalized_shape=4,x does not parse: expected a comma-separated list of "
                    + "positive integers, e.g. normalized_shape=4,5", e.getMessage());
            IllegalArgumentException viaContract = assertThrows(IllegalArgumentException.class,
                    () -> CONTRACT.specFor(Shape.of(2, 4, 5), Map.of("normalized_shape", "4,x")));
            assertEquals(e.getMessage(), viaContract.getMessage());
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                    () -> new LayerNorm().create(spec(20, "4,0")));
            assertTrue(zero.getMessage().startsWith("layer_norm: option normalized_shape=4,0 does not parse"),
                    zero.getMessage());
            for (String typo : new String[] {"4,", "x", "", "4;5", "-4", "4, 5x"}) {
                IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                        () -> new LayerNorm().create(spec(4, typo)), typo);
                assertTrue(t.getMessage().contains("normalized_shape=" + typo + " does not parse"), t.getMessage());
            }
            for (String form : new String[] {"4,5", " (4, 5) ", "[4,5]", "4x5"}) {
                assertEquals(Shape.of(4, 5), ContractPreset.normalizedShape(LayerNorm.NAME, spec(20, form)), form);
            }
        }

        @Test
        void numFeaturesMustBeTheProductOfNormalizedShape() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LayerNorm().create(spec(3, "4,5")));
            assertEquals("layer_norm: option normalized_shape=4,5 has 20 elements but numFeatures = 3: set numFeatures "
                    + "to the product of normalized_shape (20), or let the contract's specFor build the spec from an "
                    + "input shape", e.getMessage());
        }

        @Test
        void anEmptyInputIsRefused() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> new LayerNorm().create(spec(4, null)).forward(Tensor.zeros(DType.FLOAT64, Shape.of(0, 4))));
            assertTrue(e.getMessage().startsWith("layer_norm: got an empty input of shape (0, 4)"), e.getMessage());
        }
    }

    @Nested
    class Behaviour {
        @Test
        void withoutTheOptionNormalizedShapeIsNumFeaturesLikeNnLayerNormOfAnInt() {
            NormLayer ln = new LayerNorm().create(spec(6, null));
            assertEquals(Shape.of(6), ContractPreset.normalizedShape(LayerNorm.NAME, ln.spec()));
            assertEquals(Shape.of(6), ln.weight().orElseThrow().shape());
        }

        @Test
        void keepsNoRunningStatisticsAndHasElementwiseAffineOfNormalizedShape() {
            NormLayer ln = new LayerNorm().create(spec(20, "4,5"));
            assertEquals(List.of("weight", "bias"), List.copyOf(ln.stateDict().keySet()));
            assertEquals(Shape.of(4, 5), ln.bias().orElseThrow().shape());
            assertTrue(ln.runningStats().isEmpty());
            assertTrue(new LayerNorm().create(spec(20, "4,5").withAffine(false)).stateDict().isEmpty());
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void normalisesEachRowOverTheTrailingDimensionsThenScalesElementwise(Face face) {
            NormLayer ln = new LayerNorm().create(spec(6, "2,3").withEps(1e-3));
            ln.setFace(face);
            Tensor gamma = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor beta = Tensor.of(new double[] {-1, 0, 1, 2, 3, 4}, 2, 3);
            ln.weight().orElseThrow().copyFrom(gamma);
            ln.bias().orElseThrow().copyFrom(beta);
            Tensor x = input(2, 2, 2, 3);
            double[] v = x.toDoubleArray();
            double[] expected = new double[v.length];
            for (int row = 0; row < 4; row++) {
                double mean = 0;
                for (int k = 0; k < 6; k++) {
                    mean += v[row * 6 + k] / 6;
                }
                double variance = 0;
                for (int k = 0; k < 6; k++) {
                    variance += (v[row * 6 + k] - mean) * (v[row * 6 + k] - mean) / 6;
                }
                for (int k = 0; k < 6; k++) {
                    expected[row * 6 + k] = (v[row * 6 + k] - mean) / Math.sqrt(variance + 1e-3) * gamma.get(k)
                            + beta.get(k);
                }
            }
            assertClose("y", ln.forward(x), Tensor.wrap(expected, x.shape()));
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void evaluationComputesWhatTrainingComputes(Face face) {
            NormLayer ln = new LayerNorm().create(spec(5, null));
            ln.setFace(face);
            Tensor x = input(3, 4, 5);
            Tensor train = ln.forward(x);
            ln.eval();
            assertArrayEquals(train.toDoubleArray(), ln.forward(x).toDoubleArray());
        }

        @Test
        void aConstantRowGivesBeta() {
            NormLayer ln = new LayerNorm().create(spec(4, null));
            ln.bias().orElseThrow().copyFrom(Tensor.of(new double[] {1, 2, 3, 4}, 4));
            Tensor y = ln.forward(Tensor.full(DType.FLOAT64, Shape.of(2, 4), 5.0));
            assertArrayEquals(new double[] {1, 2, 3, 4, 1, 2, 3, 4}, y.toDoubleArray());
        }
    }
}
