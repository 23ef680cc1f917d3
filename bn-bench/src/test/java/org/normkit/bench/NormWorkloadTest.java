package org.normkit.bench;

import java.util.List;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

class NormWorkloadTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();
    private static final Shape ROWS = Shape.of(8, 64);

    @ParameterizedTest
    @EnumSource(BenchPass.class)
    void bothFacesRunEveryPassAndReturnWhatTheyComputed(BenchPass pass) {
        for (Face face : Face.BOTH) {
            Object result = NormWorkload.build(REGISTRY, "toy_row_norm", ROWS, DType.FLOAT64, face, pass).run();
            assertNotNull(result, face + " " + pass);
        }
    }

    @Test
    void fusedForwardWritesThePreallocatedOutputTheReferenceComputes() {
        Tensor reference = (Tensor) NormWorkload.build(REGISTRY, "toy_row_norm", ROWS, DType.FLOAT64,
                Face.REFERENCE, BenchPass.TRAIN_FORWARD).run();
        NormWorkload.build(REGISTRY, "toy_row_norm", ROWS, DType.FLOAT64, Face.FUSED, BenchPass.TRAIN_FORWARD)
                .run();
        assertArrayEquals(reference.toDoubleArray(), BenchInputs.of(ROWS, DType.FLOAT64).out.toDoubleArray(), 1e-9);
    }

    @Test
    void referenceBackwardResetsGradientsSoRepeatedCallsAgree() {
        NormWorkload w = NormWorkload.build(REGISTRY, "toy_row_norm", ROWS, DType.FLOAT64, Face.REFERENCE,
                BenchPass.TRAIN_FORWARD_BACKWARD);
        double[] first = ((Tensor) w.run()).toDoubleArray();
        double[] second = ((Tensor) w.run()).toDoubleArray();
        assertArrayEquals(first, second, 0);
        assertFalse(w.layer().weight().get().grad() == null, "the parameters' gradients are computed too");
    }

    @Test
    void fusedBackwardAsksForTheAffineGradientsTheLayerHas() {
        var g = (FusedNorm.Gradients) NormWorkload.build(REGISTRY, "toy_row_norm", ROWS, DType.FLOAT32,
                Face.FUSED, BenchPass.TRAIN_FORWARD_BACKWARD).run();
        assertNotNull(g.input());
        assertNotNull(g.weight());
        assertNotNull(g.bias());
    }

    @Test
    void evaluationUsesTheRunningStatisticsWhenTheLayerKeepsThem() {
        Shape shape = Shape.of(4, 3, 5, 5);
        Tensor y = (Tensor) NormWorkload.build(REGISTRY, "batch_norm_toy", shape, DType.FLOAT64, Face.REFERENCE,
                BenchPass.EVAL_FORWARD).run();
        // Fresh running statistics are mean 0, variance 1: y = x / sqrt(1 + eps).
        Tensor x = BenchInputs.of(shape, DType.FLOAT64).x;
        for (int i = 0; i < x.numel(); i++) {
            assertEquals(x.get(i) / Math.sqrt(1 + 1e-5), y.get(i), 1e-12);
        }
    }

    @Test
    void fusedFaceOfANormWithoutOneIsRefusedByName() {
        var e = assertThrows(NormWorkload.NoFusedFaceException.class, () -> NormWorkload.build(REGISTRY,
                "batch_norm_toy", Shape.of(4, 3, 5, 5), DType.FLOAT32, Face.FUSED, BenchPass.TRAIN_FORWARD));
        assertTrue(e.getMessage().startsWith("batch_norm_toy has no fused face"), e.getMessage());
    }

    @Test
    void baseSpecFollowsPytorchsDefaultsLikeThePeer() {
        NormSpec instance = NormWorkload.baseSpec("instance_norm2d", Shape.of(32, 64, 56, 56), DType.FLOAT32);
        assertFalse(instance.affine());
        assertFalse(instance.trackRunningStats());
        assertEquals("32", NormWorkload.baseSpec("group_norm", Shape.of(32, 64, 56, 56), DType.FLOAT32)
                .option("groups").orElseThrow());
        assertTrue(NormWorkload.baseSpec("group_norm", Shape.of(8, 48, 7, 7), DType.FLOAT32).option("groups").isEmpty());
        NormSpec batch = NormWorkload.baseSpec("batch_norm2d", Shape.of(8, 16, 4, 4), DType.FLOAT64);
        assertTrue(batch.affine() && batch.trackRunningStats());
        assertEquals(DType.FLOAT64, batch.dtype());
    }

    @Test
    void inputsAreKeptForTheNextTrialOfTheSameShapeAndDtype() {
        BenchInputs a = BenchInputs.of(ROWS, DType.FLOAT32);
        assertTrue(a == BenchInputs.of(ROWS, DType.FLOAT32));
        assertFalse(a == BenchInputs.of(ROWS, DType.FLOAT64));
    }

    @Test
    void parallelCopyCopiesEveryElementWhateverTheSplit() {
        double[] source = new double[1001];
        for (int i = 0; i < source.length; i++) {
            source[i] = i;
        }
        for (int threads = 1; threads <= 3; threads++) {
            double[] target = new double[source.length];
            try (ParallelCopy copy = new ParallelCopy(source, target, source.length, threads)) {
                copy.run();
            }
            assertArrayEquals(source, target, 0, "threads=" + threads);
        }
    }

    @Nested
    class Masked {
        /** (N, C, T) tokens: 16 positions a sample, of which the padded mask keeps the first 12. */
        private final Shape tokens = Shape.of(4, 8, 16);

        private boolean padding(int element) {
            return element % 16 >= 12;
        }

        @Test
        void thePaddedMaskKeepsTheStatedShareOfEverySample() {
            PositionMask mask = BenchMask.padded(tokens);
            assertEquals(4 * 12, mask.validCount());
            for (int p = 0; p < 4 * 16; p++) {
                assertEquals(p % 16 < 12, mask.isValid(p), "position " + p);
            }
            // (N, C): each sample is one position, so whole samples are padding, the last quarter of the batch.
            PositionMask rows = BenchMask.padded(Shape.of(8, 5));
            assertEquals(6, rows.validCount());
            assertTrue(rows.isValid(5) && !rows.isValid(6));
        }

        @ParameterizedTest
        @EnumSource(value = BenchPass.class, names = {"TRAIN_FORWARD", "EVAL_FORWARD"})
        void theFusedFaceNormalisesOverTheValidPositionsAndWritesZerosAtThePadding(BenchPass pass) {
            NormWorkload.build(REGISTRY, "group_norm", tokens, DType.FLOAT64, Face.FUSED, pass).run();
            double[] unmasked = BenchInputs.of(tokens, DType.FLOAT64).out.toDoubleArray();
            NormWorkload.build(REGISTRY, "group_norm", tokens, DType.FLOAT64, Face.FUSED, pass, BenchMask.PADDED)
                    .run();
            double[] masked = BenchInputs.of(tokens, DType.FLOAT64).out.toDoubleArray();
            assertMaskedDiffersFromUnmasked(unmasked, masked);
        }

        @Test
        void theReferenceFaceTakesTheMaskToo() {
            Tensor unmasked = (Tensor) NormWorkload.build(REGISTRY, "group_norm", tokens, DType.FLOAT64,
                    Face.REFERENCE, BenchPass.TRAIN_FORWARD).run();
            Tensor masked = (Tensor) NormWorkload.build(REGISTRY, "group_norm", tokens, DType.FLOAT64,
                    Face.REFERENCE, BenchPass.TRAIN_FORWARD, BenchMask.PADDED).run();
            assertMaskedDiffersFromUnmasked(unmasked.toDoubleArray(), masked.toDoubleArray());
        }

        @Test
        void theMaskedBackwardGivesNoGradientAtThePadding() {
            var g = (FusedNorm.Gradients) NormWorkload.build(REGISTRY, "group_norm", tokens, DType.FLOAT64,
                    Face.FUSED, BenchPass.TRAIN_FORWARD_BACKWARD, BenchMask.PADDED).run();
            double[] dx = g.input().toDoubleArray();
            for (int i = 0; i < dx.length; i++) {
                if (padding(i)) {
                    assertEquals(0.0, dx[i], 0, "element " + i);
                }
            }
            assertTrue(java.util.Arrays.stream(dx).anyMatch(v -> v != 0));
        }

        @Test
        void aNormThatTakesNoMaskIsRefusedByName() {
            var e = assertThrows(UnsupportedOperationException.class, () -> NormWorkload.build(REGISTRY,
                    "toy_row_norm", ROWS, DType.FLOAT32, Face.FUSED, BenchPass.TRAIN_FORWARD, BenchMask.PADDED));
            assertTrue(e.getMessage().startsWith("toy_row_norm takes no mask"), e.getMessage());
        }

        /** Zeros at the padding where the unmasked call normalised; other statistics at the valid positions. */
        private void assertMaskedDiffersFromUnmasked(double[] unmasked, double[] masked) {
            int differentValid = 0;
            for (int i = 0; i < masked.length; i++) {
                if (padding(i)) {
                    assertEquals(0.0, masked[i], 0, "element " + i + " is padding");
                    assertTrue(unmasked[i] != 0.0, "element " + i + " unmasked");
                } else if (Math.abs(masked[i] - unmasked[i]) > 1e-9) {
                    differentValid++;
                }
            }
            assertTrue(differentValid > masked.length / 2, differentValid + " valid elements differ");
        }
    }
}
