package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;

/** A norm's constructor arguments: PyTorch's defaults, each setting's copy, the refusals and the options' parsing. */
class NormSpecTest {

    @Test
    void defaultsAreTorchsAndDescribeReadsLikeItsConstructor() {
        NormSpec spec = NormSpec.of(4);
        assertEquals(4, spec.numFeatures());
        assertEquals(1e-5, spec.eps());
        assertEquals(OptionalDouble.of(0.1), spec.momentum());
        assertTrue(spec.affine());
        assertTrue(spec.trackRunningStats());
        assertEquals(DType.FLOAT32, spec.dtype());
        assertEquals("4, eps=1.0E-5, momentum=0.1, affine=true, track_running_stats=true, dtype=" + DType.FLOAT32,
                spec.describe());
    }

    @Test
    void eachWithChangesOnlyItsOwnSetting() {
        NormSpec spec = NormSpec.of(4).withNumFeatures(6).withEps(1e-3).withMomentum(0.3).withAffine(false)
                .withTrackRunningStats(false).withDtype(DType.FLOAT64).withOption("groups", "2");
        assertEquals(new NormSpec(6, 1e-3, OptionalDouble.of(0.3), false, false, DType.FLOAT64, Map.of("groups", "2")),
                spec);
        assertEquals("6, eps=0.001, momentum=0.3, affine=false, track_running_stats=false, dtype=" + DType.FLOAT64
                + ", groups=2", spec.describe());
        NormSpec cumulative = spec.withCumulativeAverage();
        assertFalse(cumulative.momentum().isPresent());
        assertTrue(cumulative.describe().contains("momentum=None"), cumulative.describe());
    }

    @Test
    void optionsMergeSortedAndCannotBeChangedFromOutside() {
        NormSpec spec = NormSpec.of(2).withOption("z", "1").withOptions(Map.of("a", "2", "z", "3"));
        assertEquals(Map.of("a", "2", "z", "3"), spec.options());
        assertEquals("a", spec.options().keySet().iterator().next());
        assertThrows(UnsupportedOperationException.class, () -> spec.options().put("b", "4"));
        assertEquals("3", spec.option("z").orElseThrow());
        assertTrue(spec.option("missing").isEmpty());
    }

    @Test
    void refusesAFeatureCountBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NormSpec.of(0));
        assertTrue(e.getMessage().startsWith("numFeatures = 0 is not a valid feature count"), e.getMessage());
        assertEquals(1, NormSpec.of(1).numFeatures());
    }

    @Test
    void refusesAnEpsThatIsNotAFinitePositiveNumber() {
        for (double eps : new double[] {0, -1e-5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormSpec.of(2).withEps(eps), "eps " + eps);
            assertTrue(e.getMessage().startsWith("eps = " + eps + " is not allowed"), e.getMessage());
        }
        assertEquals(Double.MIN_VALUE, NormSpec.of(2).withEps(Double.MIN_VALUE).eps());
    }

    @Test
    void refusesAMomentumOutsideZeroToOneAndAcceptsTheEnds() {
        for (double m : new double[] {-0.01, 1.01, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormSpec.of(2).withMomentum(m), "momentum " + m);
            assertTrue(e.getMessage().startsWith("momentum = " + m + " is outside [0, 1]"), e.getMessage());
        }
        assertEquals(0.0, NormSpec.of(2).withMomentum(0).momentum().getAsDouble());
        assertEquals(1.0, NormSpec.of(2).withMomentum(1).momentum().getAsDouble());
    }

    @Test
    void refusesANullDtype() {
        assertEquals("dtype must be float32 or float64, got null",
                assertThrows(IllegalArgumentException.class, () -> NormSpec.of(2).withDtype(null)).getMessage());
    }

    @Test
    void aRequiredIntegerOptionIsReadOrNamedWithAnExample() {
        assertEquals(3, NormSpec.of(6).withOption("groups", " 3 ").requiredIntOption("groups", "groups=2"));
        assertEquals("option 'groups' is required: set it like groups=2", assertThrows(IllegalArgumentException.class,
                () -> NormSpec.of(6).requiredIntOption("groups", "groups=2")).getMessage());
        assertEquals("option groups=two does not parse: expected an integer, e.g. groups=2",
                assertThrows(IllegalArgumentException.class, () -> NormSpec.of(6).withOption("groups", "two")
                        .requiredIntOption("groups", "groups=2")).getMessage());
    }

    @Test
    void anIntegerListOptionReadsCommasXsAndBrackets() {
        assertTrue(NormSpec.of(2).intListOption("normalized_shape").isEmpty());
        assertArrayEquals(new int[] {4, 5}, list("4,5"));
        assertArrayEquals(new int[] {4, 5}, list("(4, 5)"));
        assertArrayEquals(new int[] {4, 5, 6}, list("[4x5x6]"));
        assertArrayEquals(new int[] {7}, list(" 7 "));
        assertArrayEquals(new int[] {1, 2}, list("1,2"));
    }

    @Test
    void anIntegerListWithAnEmptyZeroOrWordPartIsRefused() {
        for (String bad : new String[] {"4,", "4,x", "0,5", "4,five", "", "-4"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> list(bad), bad);
            assertEquals("option normalized_shape=" + bad + " does not parse: expected a comma-separated list of "
                    + "positive integers, e.g. normalized_shape=4,5", e.getMessage());
        }
    }

    private static int[] list(String value) {
        return NormSpec.of(2).withOption("normalized_shape", value).intListOption("normalized_shape").orElseThrow();
    }
}
