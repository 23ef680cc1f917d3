package org.normkit.autograd.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.check.TestRowNorm.Bug;
import org.normkit.autograd.check.TestRowNorm.Scaling;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * NormGradCheck's second-order check of either face, and what both checks leave behind: the layer's face, state and
 * gradients as they were, whatever stale gradient it carried before.
 */
class NormGradCheckOfBothFacesTest {
    private static final Shape INPUT = Shape.of(3, 4);
    private static final NormSpec SPEC = NormSpec.of(4).withDtype(DType.FLOAT64);

    /** Row centering whose fused backward is written with recorded ops, so it can be differentiated again. */
    private static TestRowNorm differentiableCentering() {
        return new TestRowNorm("differentiable_centering", SPEC, Scaling.CENTER, Bug.NONE, true).withRandomAffine(11);
    }

    /** Row centering whose fused backward is plain loops: it cannot go one order up. */
    private static TestRowNorm rowCentering(NormSpec spec, Bug bug) {
        return TestRowNorm.centering("row_centering", spec, bug);
    }

    private static Tensor input() {
        return Tensor.randn(DType.FLOAT64, INPUT, 21);
    }

    private static List<String> checked(GradCheck.Report report) {
        return report.perInput().stream().map(Comparison::what).toList();
    }

    private static void assertNoGradients(Normalization layer) {
        for (Parameter p : layer.parameters()) {
            assertNull(p.grad(), "a gradient left behind");
        }
    }

    @Nested
    class SecondOrder {
        @Test
        void theReferenceFaceIsCheckedForTheInputEveryParameterAndTheOutputGradient() {
            TestRowNorm layer = differentiableCentering();

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, input(), 3, Face.REFERENCE);

            assertTrue(report.passed(), report.describe());
            assertEquals(List.of("second-order gradient of input (3, 4)", "second-order gradient of weight (4)",
                    "second-order gradient of bias (4)", "second-order gradient of the output gradient (3, 4)"),
                    checked(report));
            assertEquals(0, layer.fusedForwards, "the reference face is checked on its own ops");
        }

        @Test
        void theReferenceFaceIsCheckedEvenWhenTheFusedFaceCannotGoOneOrderUp() {
            TestRowNorm layer = rowCentering(SPEC, Bug.NONE);

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, input(), 3, Face.REFERENCE);

            assertTrue(report.passed(), report.describe());
        }

        @Test
        void theFusedFaceIsCheckedThroughTheLayersForwardOnItsFusedFace() {
            TestRowNorm layer = differentiableCentering();
            layer.setFace(Face.REFERENCE);

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, input(), 3, Face.FUSED);

            assertTrue(report.passed(), report.describe());
            assertEquals(4, report.perInput().size(), report.describe());
            assertTrue(layer.fusedForwards > 0, "the fused face ran");
        }

        @Test
        void aFusedFirstOrderBackwardThatDisagreesWithItsDifferentiableFormFails() {
            TestRowNorm layer = new TestRowNorm("differentiable_centering", SPEC, Scaling.CENTER,
                    Bug.INPUT_GRADIENT_SCALED, true).withRandomAffine(11);

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, input(), 3, Face.FUSED);

            assertFalse(report.passed(), report.describe());
        }

        @Test
        void afterwardsTheFaceStateAndGradientsAreAsBefore() {
            TestRowNorm layer = differentiableCentering();
            layer.setFace(Face.REFERENCE);
            double[] weight = layer.weight().orElseThrow().toDoubleArray();

            NormGradCheck.checkSecondOrder(layer, input(), 3, Face.FUSED);

            assertEquals(Face.REFERENCE, layer.face());
            assertEquals(0.0, layer.stateDict().get("num_batches_tracked").item(), "the training forwards' count");
            assertEquals(List.of(weight[0], weight[3]), List.of(layer.weight().orElseThrow().get(0),
                    layer.weight().orElseThrow().get(3)));
            assertNoGradients(layer);
        }

        @Test
        void aFusedFaceWithoutADifferentiableBackwardFailsNamingTheOpAndTheFaceIsRestored() {
            TestRowNorm layer = rowCentering(SPEC, Bug.NONE);
            layer.setFace(Face.REFERENCE);

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> NormGradCheck.checkSecondOrder(layer, input(), 3, Face.FUSED));

            assertTrue(e.getMessage().startsWith("op 'row_centering (fused)' has no differentiable backward"),
                    e.getMessage());
            assertEquals(Face.REFERENCE, layer.face());
        }

        @Test
        void theFusedFaceOfANormWithoutOneIsRefused() {
            TestRowNorm layer = rowCentering(SPEC, Bug.NO_FUSED_FACE);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormGradCheck.checkSecondOrder(layer, input(), 3, Face.FUSED));

            assertEquals("the second-order check of the fused face needs a norm with one; check the reference face "
                    + "instead", e.getMessage());
        }

        @Test
        void aFloat32LayerIsRefusedWithTheWayOut() {
            TestRowNorm layer = rowCentering(NormSpec.of(4).withDtype(DType.FLOAT32), Bug.NONE);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormGradCheck.checkSecondOrder(layer, input(), 3, Face.REFERENCE));

            assertEquals("gradcheck needs a float64 layer, got float32: build it with NormSpec.withDtype(DType.FLOAT64)",
                    e.getMessage());
        }
    }

    @Nested
    class FirstOrder {
        @Test
        void aStaleGradientOnTheLayerDoesNotEnterTheCheckAndNoneIsLeftBehind() {
            TestRowNorm layer = differentiableCentering();
            layer.reference(input(), Statistics.batch()).sum().backward();

            GradCheck.Report report = NormGradCheck.check(layer, input(), 5);

            assertTrue(report.passed(), report.describe());
            assertEquals(List.of("gradient of input (3, 4)", "gradient of weight (4)", "gradient of bias (4)"),
                    checked(report));
            assertNoGradients(layer);
        }
    }
}
