package org.normkit.variants.group;

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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.core.NormLayer;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

class GroupNormTest {
    private static final InputContract CONTRACT = NormRegistry.loadDefault().get("group_norm").contract();

    private static NormSpec spec(int channels, String groups) {
        return NormSpec.of(channels).withDtype(DType.FLOAT64).withOption("groups", groups);
    }

    private static Tensor input(int... shape) {
        return Tensor.randn(DType.FLOAT64, Shape.of(shape), 5).mul(1.5).sub(0.5);
    }

    @Nested
    class Contract {
        @ParameterizedTest(name = "C = {0} gets {1} groups")
        @CsvSource({"64, 32", "256, 32", "96, 32", "48, 24", "40, 20", "35, 7", "6, 6", "1, 1", "37, 1"})
        void defaultGroupsAre32WhenTheyDivideCElseTheLargestDivisorBelow(int channels, int groups) {
            NormSpec s = CONTRACT.specFor(Shape.of(2, channels, 3), NormSpec.of(1));
            assertEquals(channels, s.numFeatures());
            assertEquals(groups, GroupNorm.groupsOf(s));
            assertFalse(s.trackRunningStats(), "GroupNorm keeps no running statistics");
        }

        @Test
        void anExplicitGroupsOptionWins() {
            assertEquals(4, GroupNorm.groupsOf(CONTRACT.specFor(Shape.of(2, 64, 3), Map.of("groups", "4"))));
        }

        @Test
        void anExplicitGroupsOptionThatDoesNotDivideCIsRefusedNamingBothNumbers() {
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> CONTRACT.specFor(Shape.of(2, 6, 5), Map.of("groups", "4")));
            assertTrue(e.getMessage().startsWith("group_norm: expected the number of channels to be divisible by "
                    + "groups=4, but got 6 channels (input of shape (2, 6, 5))"), e.getMessage());
        }

        @Test
        void benchmarkShapeIsAResNetStageWith32Groups() {
            assertEquals(List.of(Shape.of(32, 64, 56, 56)), CONTRACT.benchmarkShapes());
            assertEquals(32, GroupNorm.groupsOf(CONTRACT.specFor(Shape.of(32, 64, 56, 56), NormSpec.of(1))));
        }
    }

    @Nested
    class BadInput {
        @Test
        void groupsMustDivideChannels() {
            ShapeException e = assertThrows(ShapeException.class, () -> new GroupNorm().create(spec(6, "4")));
            assertEquals("group_norm: expected the number of channels to be divisible by groups=4, but got 6 channels "
                    + "(numFeatures = 6): the channels are cut into 4 contiguous groups of equal size; use a divisor "
                    + "of 6 (1, 2, 3, 6)", e.getMessage());
        }

        @Test
        void inputChannelsNotDivisibleByGroupsNameTheShapeAndTheGroups() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> new GroupNorm().create(spec(6, "3")).forward(input(2, 4, 5)));
            assertEquals("group_norm: expected the number of channels to be divisible by groups=3, but got 4 channels "
                    + "(input of shape (2, 4, 5)): the channels are cut into 3 contiguous groups of equal size; use a "
                    + "divisor of 4 (1, 2, 4)", e.getMessage());
            ShapeException other = assertThrows(ShapeException.class,
                    () -> new GroupNorm().create(spec(6, "3")).forward(input(2, 9, 5)));
            assertTrue(other.getMessage().startsWith("group_norm: expected 6 channels (numFeatures) in dimension 1, "
                    + "got input of shape (2, 9, 5)"), other.getMessage());
        }

        @Test
        void groupsIsRequired() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new GroupNorm().create(NormSpec.of(6)));
            assertEquals("group_norm: option 'groups' is required (PyTorch's num_groups): set it like groups=32; it "
                    + "must divide the 6 channels (numFeatures)", e.getMessage());
        }

        @Test
        void groupsThatDoNotParseNameTheOptionTheValueAndTheForm() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new GroupNorm().create(spec(6, "abc")));
            assertEquals("group_norm: option groups=abc does not parse: expected an integer, e.g. groups=32",
                    e.getMessage());
            IllegalArgumentException viaContract = assertThrows(IllegalArgumentException.class,
                    () -> CONTRACT.specFor(Shape.of(2, 6), Map.of("groups", "abc")));
            assertEquals(e.getMessage(), viaContract.getMessage());
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                    () -> new GroupNorm().create(spec(6, "0")));
            assertEquals("group_norm: groups=0 is not a number of groups: expected an integer >= 1 that divides the "
                    + "channel count, e.g. groups=32", zero.getMessage());
        }

        @Test
        void aRankOneInputIsRefused() {
            ShapeException e = assertThrows(ShapeException.class, () -> new GroupNorm().create(spec(6, "3")).forward(input(6)));
            assertEquals("group_norm: expected a 2-d input (N, C, ...) or one of higher rank, got 1-d input of "
                    + "shape (6)", e.getMessage());
        }
    }

    @Nested
    class Behaviour {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void contiguousChannelGroupsShareStatisticsAndEachChannelItsAffine(Face face) {
            NormLayer gn = new GroupNorm().create(spec(6, "3"));
            gn.setFace(face);
            Tensor gamma = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 6);
            Tensor beta = Tensor.of(new double[] {0, 1, 0, -1, 0, 2}, 6);
            gn.weight().orElseThrow().copyFrom(gamma);
            gn.bias().orElseThrow().copyFrom(beta);
            Tensor x = input(2, 6, 2, 2);
            double[] v = x.toDoubleArray();
            double[] expected = new double[v.length];
            int setSize = 2 * 4;
            for (int set = 0; set < 2 * 3; set++) {
                double mean = 0;
                for (int i = 0; i < setSize; i++) {
                    mean += v[set * setSize + i] / setSize;
                }
                double variance = 0;
                for (int i = 0; i < setSize; i++) {
                    variance += (v[set * setSize + i] - mean) * (v[set * setSize + i] - mean) / setSize;
                }
                for (int i = 0; i < setSize; i++) {
                    int flat = set * setSize + i;
                    int c = (flat / 4) % 6;
                    expected[flat] = (v[flat] - mean) / Math.sqrt(variance + 1e-5) * gamma.get(c) + beta.get(c);
                }
            }
            assertClose("y", gn.forward(x), Tensor.wrap(expected, x.shape()));
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void evaluationComputesWhatTrainingComputes(Face face) {
            NormLayer gn = new GroupNorm().create(spec(4, "2"));
            gn.setFace(face);
            Tensor x = input(3, 4, 5);
            Tensor train = gn.forward(x);
            gn.eval();
            assertArrayEquals(train.toDoubleArray(), gn.forward(x).toDoubleArray());
        }

        @Test
        void takesAnNCInputAndKeepsNoRunningStatistics() {
            NormLayer gn = new GroupNorm().create(spec(6, "2"));
            assertEquals(Shape.of(4, 6), gn.forward(input(4, 6)).shape());
            assertEquals(List.of("weight", "bias"), List.copyOf(gn.stateDict().keySet()));
            assertTrue(gn.runningStats().isEmpty());
        }
    }
}
