package org.example.rmsnorm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;

class RmsNormTest {
    private final RmsNorm provider = new RmsNorm();
    private final InputContract contract = provider.contract();

    @Nested
    class Options {
        @Test
        void optionThatDoesNotParseNamesOptionValueAndExpectedForm() {
            NormSpec spec = NormSpec.of(1).withOption("normalized_shape", "4;5");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> contract.specFor(Shape.of(3, 4, 5), spec));
            assertTrue(e.getMessage().contains("normalized_shape"), e.getMessage());
            assertTrue(e.getMessage().contains("4;5"), e.getMessage());
            assertTrue(e.getMessage().contains("comma-separated list of positive integers"), e.getMessage());
        }

        @Test
        void layerBuiltDirectlyReportsTheSameUnparsableOption() {
            NormSpec spec = NormSpec.of(8).withOption("normalized_shape", "eight");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.create(spec));
            assertTrue(e.getMessage().contains("normalized_shape=eight"), e.getMessage());
            assertTrue(e.getMessage().contains("e.g. normalized_shape=4,5"), e.getMessage());
        }

        @Test
        void normalizedShapeThatIsNotTheTailOfTheInputIsRefused() {
            NormSpec spec = NormSpec.of(1).withOption("normalized_shape", "3,5");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> contract.specFor(Shape.of(2, 4, 5), spec));
            assertTrue(e.getMessage().contains("(2, 4, 5)") && e.getMessage().contains("(3, 5)"), e.getMessage());
        }
    }

    @Nested
    class DefaultNormalizedShape {
        @Test
        void isTheLastDimensionForRankTwoAndThree() {
            assertEquals("768", normalizedShapeFor(Shape.of(32, 128, 768), NormSpec.of(1)));
            assertEquals("256", normalizedShapeFor(Shape.of(64, 256), NormSpec.of(1)));
        }

        @Test
        void isEveryDimensionButTheBatchFromRankFour() {
            assertEquals("6,5,5", normalizedShapeFor(Shape.of(8, 6, 5, 5), NormSpec.of(1)));
        }

        @Test
        void explicitOptionWins() {
            NormSpec spec = contract.specFor(Shape.of(8, 6, 5, 5), NormSpec.of(1).withOption("normalized_shape", "5"));
            assertEquals("5", spec.option("normalized_shape").orElseThrow());
            assertEquals(5, spec.numFeatures());
        }

        private String normalizedShapeFor(Shape input, NormSpec base) {
            return contract.specFor(input, base).option("normalized_shape").orElseThrow();
        }
    }

    @Test
    void hasElementwiseWeightNoBiasAndNoRunningStatistics() {
        NormLayer layer = provider.create(NormSpec.of(20).withOption("normalized_shape", "4,5"));
        assertEquals(Shape.of(4, 5), layer.weight().orElseThrow().shape());
        assertTrue(layer.bias().isEmpty());
        assertEquals(java.util.Set.of("weight"), layer.stateDict().keySet());
    }

    @Test
    void rowsAreScaledToUnitRootMeanSquareWithoutCentering() {
        NormLayer layer = provider.create(NormSpec.of(2).withDtype(DType.FLOAT64).withEps(1e-12));
        Tensor y = layer.forward(Tensor.of(new double[] {3, 4, 1, 1}, 2, 2));
        double rms = Math.sqrt((9 + 16) / 2.0);
        assertArrayEquals(new double[] {3 / rms, 4 / rms, 1, 1}, y.toDoubleArray(), 1e-9);
    }
}
