package org.normkit.autograd.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.check.TestRowNorm.Bug;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** FaceAgreement and NormGradCheck on the test-only row centering ({@link TestRowNorm}) with a planted bug. */
class FaceChecksTest {
    private static final Shape INPUT = Shape.of(3, 4);

    private static TestRowNorm rowCentering(DType dtype, Bug bug) {
        return TestRowNorm.centering("row_centering", NormSpec.of(4).withDtype(dtype), bug);
    }

    private static FaceAgreement.Report agreement(Bug bug, boolean training) {
        return FaceAgreement.check("row_centering", () -> rowCentering(DType.FLOAT64, bug), INPUT, training, 7);
    }

    @Nested
    class Agreement {

        @Test
        void facesThatComputeTheSameFunctionAgreeOnOutputGradientsAndSavedStatistics() {
            FaceAgreement.Report report = agreement(Bug.NONE, true);

            assertTrue(report.passed(), report.describe());
            assertEquals("face agreement row_centering " + INPUT + " float64 train: agree", report.header());
            String describe = report.describe();
            assertTrue(describe.contains("ok   output: worst at"), describe);
            assertTrue(describe.contains("ok   gradInput: worst at"), describe);
            assertTrue(describe.contains("ok   grad of weight: worst at"), describe);
            assertTrue(describe.contains("ok   grad of bias: worst at"), describe);
        }

        @Test
        void theFacesAreComparedEvenInsideAScopeThatRunsEveryLayerOnTheReferenceFace() {
            FaceAgreement.Report report;
            try (Face.Scope ignored = Face.scope(Face.REFERENCE)) {
                report = agreement(Bug.INPUT_GRADIENT_SCALED, true);
            }

            assertFalse(report.passed(), report.describe());
        }

        @Test
        void inEvaluationTheHeaderSaysSo() {
            assertTrue(agreement(Bug.NONE, false).header().endsWith("float64 eval: agree"));
        }

        @Test
        void aWrongInputGradientIsCaughtAndNamed() {
            FaceAgreement.Report report = agreement(Bug.INPUT_GRADIENT_SCALED, true);

            assertFalse(report.passed());
            assertTrue(report.header().endsWith(": DISAGREE"), report.header());
            assertTrue(report.describe().contains("FAIL gradInput: worst at"), report.describe());
            assertTrue(report.describe().contains("ok   output"), report.describe());
        }

        @Test
        void aGradientOnlyOneFaceComputesIsAProblemNamingWhichFace() {
            FaceAgreement.Report report = agreement(Bug.NO_BIAS_GRADIENT, true);

            assertFalse(report.passed());
            assertEquals("grad of bias: the fused face computed none, the reference face did",
                    report.problems().get(0));
            assertTrue(report.describe().contains("FAIL grad of bias: the fused face computed none"),
                    report.describe());
        }

        @Test
        void aNormWithoutAFusedFaceHasNothingToCompareAndPasses() {
            FaceAgreement.Report report = agreement(Bug.NO_FUSED_FACE, true);

            assertTrue(report.passed());
            assertFalse(report.hasFusedFace());
            assertTrue(report.comparisons().isEmpty());
            assertTrue(report.describe().contains("row_centering has no fused face: nothing to compare"),
                    report.describe());
        }
    }

    @Nested
    class GradChecksOfANorm {

        @Test
        void theReferenceFacePassesForTheInputAndEveryParameter() {
            TestRowNorm layer = rowCentering(DType.FLOAT64, Bug.NONE);
            layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), 3));

            GradCheck.Report report = NormGradCheck.check(layer, Tensor.randn(DType.FLOAT64, INPUT, 4), 5);

            assertTrue(report.passed(), report.describe());
            assertEquals(3, report.perInput().size(), report.describe());
        }

        @Test
        void aFloat32LayerIsRefusedWithTheWayOut() {
            TestRowNorm layer = rowCentering(DType.FLOAT32, Bug.NONE);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormGradCheck.check(layer, Tensor.randn(DType.FLOAT32, INPUT, 4), 5));

            assertEquals("gradcheck needs a float64 layer, got float32: build it with "
                    + "NormSpec.withDtype(DType.FLOAT64)", e.getMessage());
        }
    }
}
