package org.normkit.core.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

/**
 * The three switches of a norm layer (γ/β trainable; running statistics updated; running statistics used) are
 * independent: every one of the eight combinations is run on both faces and checked against its meaning.
 */
class SwitchesTest {
    private static final NormSpec F64 = NormSpec.of(3).withDtype(DType.FLOAT64).withMomentum(0.5);

    static Stream<Arguments> everyCombinationOnBothFaces() {
        List<Arguments> all = new ArrayList<>();
        for (Face face : Face.BOTH) {
            for (boolean trainable : new boolean[] {true, false}) {
                for (boolean updates : new boolean[] {true, false}) {
                    for (boolean usesRunning : new boolean[] {true, false}) {
                        all.add(Arguments.of(face, trainable, updates, usesRunning));
                    }
                }
            }
        }
        return all.stream();
    }

    /** A layer with non-trivial γ, β and running statistics. */
    private static NormLayer layer(Face face) {
        NormLayer bn = new BatchNorm().create("batch_norm1d", F64);
        bn.loadStateDict(FaceAgreement.randomState(bn.stateDict(), 3));
        bn.setFace(face);
        return bn;
    }

    @ParameterizedTest(name = "{0}: trainable={1}, updates={2}, uses running={3}")
    @MethodSource("everyCombinationOnBothFaces")
    void eachSwitchDoesWhatItSaysWhateverTheOthers(Face face, boolean trainable, boolean updates, boolean usesRunning) {
        NormLayer bn = layer(face);
        bn.setAffineTrainable(trainable).setUpdatesRunningStatistics(updates).setUsesRunningStatistics(usesRunning);
        Map<String, Tensor> before = copies(bn);
        Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(5, 3), 7).requiresGrad(true);

        Tensor y = bn.forward(x);
        y.mul(Tensor.randn(DType.FLOAT64, Shape.of(5, 3), 8)).sum().backward();

        double[] gamma = before.get("weight").toDoubleArray();
        double[] beta = before.get("bias").toDoubleArray();
        for (int c = 0; c < 3; c++) {
            double mean = usesRunning ? before.get("running_mean").get(c) : columnMean(x, c);
            double variance = usesRunning ? before.get("running_var").get(c) : columnVariance(x, c);
            for (int n = 0; n < 5; n++) {
                double expected = (x.at(n, c) - mean) / Math.sqrt(variance + 1e-5) * gamma[c] + beta[c];
                assertEquals(expected, y.at(n, c), 1e-10, "normalised with the " + (usesRunning ? "running" : "batch")
                        + " statistics");
            }
        }
        if (trainable) {
            assertNotNull(bn.weight().orElseThrow().grad(), "γ gets a gradient");
            assertNotNull(bn.bias().orElseThrow().grad(), "β gets a gradient");
        } else {
            assertNull(bn.weight().orElseThrow().grad(), "γ is a constant");
            assertNull(bn.bias().orElseThrow().grad(), "β is a constant");
        }
        assertNotNull(x.grad(), "the input's gradient flows in every combination");
        for (String buffer : List.of("running_mean", "running_var", "num_batches_tracked")) {
            boolean changed = !java.util.Arrays.equals(before.get(buffer).toDoubleArray(),
                    bn.stateDict().get(buffer).toDoubleArray());
            assertEquals(updates, changed, buffer + (updates ? " is updated" : " stays as it was"));
        }
        if (updates) {
            assertEquals(0.5 * before.get("running_mean").get(0) + 0.5 * columnMean(x, 0),
                    bn.stateDict().get("running_mean").get(0), 1e-12, "updated from the batch, whichever normalised");
        }
    }

    @Nested
    class NamedCombinations {
        @Test
        void trainAndEvalKeepPyTorchsMeaningAndLeaveTheAffineSwitchAlone() {
            NormLayer bn = layer(Face.AUTO);
            assertTrue(bn.updatesRunningStatistics());
            assertFalse(bn.usesRunningStatistics());
            bn.setAffineTrainable(false);
            bn.eval();
            assertFalse(bn.updatesRunningStatistics());
            assertTrue(bn.usesRunningStatistics());
            assertFalse(bn.isAffineTrainable());
            bn.train();
            assertTrue(bn.updatesRunningStatistics());
            assertFalse(bn.usesRunningStatistics());
        }

        @Test
        void freezeSetsTheFineTuningCombinationAndKeepsItThroughTrain() {
            NormLayer bn = layer(Face.AUTO);
            bn.freeze();
            bn.train();
            assertTrue(bn.isFrozen());
            assertFalse(bn.isAffineTrainable());
            assertFalse(bn.updatesRunningStatistics());
            assertTrue(bn.usesRunningStatistics());
            assertFalse(bn.weight().orElseThrow().requiresGrad());
            bn.unfreeze();
            assertTrue(bn.isAffineTrainable());
            assertTrue(bn.updatesRunningStatistics(), "back to what train() means");
            assertFalse(bn.usesRunningStatistics());
        }

        @Test
        void bothFacesAgreeWhenFrozen() {
            NormLayer reference = layer(Face.REFERENCE).freeze();
            NormLayer fused = layer(Face.FUSED).freeze();
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(1, 3), 9);
            assertArrayEquals(reference.forward(x).toDoubleArray(), fused.forward(x).toDoubleArray(), 1e-12,
                    "one sample per channel is fine once the running statistics normalise and nothing updates");
        }

        @Test
        void aNormWithoutRunningStatisticsRefusesTheStatisticsSwitchesNamingWhy() {
            NormLayer bn = new BatchNorm().create(F64.withTrackRunningStats(false));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> bn.setUsesRunningStatistics(true));
            assertEquals("batch_norm keeps no running statistics to normalise with: build it with "
                    + "trackRunningStats=true", e.getMessage());
            bn.freeze();
            assertFalse(bn.usesRunningStatistics(), "frozen, it still normalises with the batch's statistics");
        }
    }

    private static Map<String, Tensor> copies(NormLayer bn) {
        Map<String, Tensor> copies = new java.util.LinkedHashMap<>();
        bn.stateDict().forEach((k, v) -> copies.put(k, v.detach().copy()));
        return copies;
    }

    private static double columnMean(Tensor x, int c) {
        double s = 0;
        for (int n = 0; n < x.dim(0); n++) {
            s += x.at(n, c);
        }
        return s / x.dim(0);
    }

    private static double columnVariance(Tensor x, int c) {
        double m = columnMean(x, c);
        double s = 0;
        for (int n = 0; n < x.dim(0); n++) {
            s += (x.at(n, c) - m) * (x.at(n, c) - m);
        }
        return s / x.dim(0);
    }
}
