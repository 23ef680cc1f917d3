package org.normkit.autograd.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.graph.FusedOp;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
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
    private static final int[] LAST = {1};
    private static final int[] ROWS = {0};

    /**
     * Test-only: y = (x − mean of its row)·γ + β, counting its training forwards in a buffer. Its fused face's backward
     * is written with recorded ops, so it can be differentiated again; it counts the fused forwards it runs.
     */
    static final class DifferentiableCentering extends Normalization {
        private final Tensor weight;
        private final Tensor bias;
        private final Tensor steps;
        private Face face = Face.AUTO;
        int fusedForwards;

        DifferentiableCentering() {
            weight = registerParameter("weight", Tensor.uniform(DType.FLOAT64, Shape.of(4), 0.5, 1.5, 11)).value();
            bias = registerParameter("bias", Tensor.uniform(DType.FLOAT64, Shape.of(4), -0.5, 0.5, 12)).value();
            steps = registerBuffer("num_batches_tracked", Tensor.zeros(DType.FLOAT64, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            if (isTraining()) {
                steps.set(0, steps.get(0) + 1);
            }
            Face run = face == Face.AUTO ? Face.scoped() : face;
            if (run == Face.REFERENCE) {
                return reference(x, Statistics.batch());
            }
            fusedForwards++;
            Tensor out = reference(x.detach(), Statistics.batch()).detach();
            // Written with recorded ops: under createGraph the gradient is itself differentiable.
            return FusedOp.record("differentiable_centering (fused)", out, new Tensor[] {x, weight, bias}, (g, needs) -> {
                Tensor scaled = g.mul(weight);
                Tensor dx = scaled.sub(scaled.mean(LAST, true));
                Tensor dWeight = g.mul(x.sub(x.mean(LAST, true))).sum(ROWS, false);
                Tensor dBias = g.sum(ROWS, false);
                return new Tensor[] {dx, dWeight, dBias};
            }, (g, needs) -> {
                Tensor scaled = g.mul(weight);
                Tensor dx = scaled.sub(scaled.mean(LAST, true));
                Tensor dWeight = g.mul(x.sub(x.mean(LAST, true))).sum(ROWS, false);
                Tensor dBias = g.sum(ROWS, false);
                return new Tensor[] {dx, dWeight, dBias};
            });
        }

        @Override
        public NormSpec spec() {
            return NormSpec.of(4).withDtype(DType.FLOAT64);
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            return x.sub(x.mean(LAST, true)).mul(weight).add(bias);
        }

        @Override
        public Optional<FusedNorm> fused() {
            return Optional.of(new FusedNorm() {
                @Override
                public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
                    throw new UnsupportedOperationException("the layer records its own fused node");
                }

                @Override
                public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
                    throw new UnsupportedOperationException("the layer records its own fused node");
                }
            });
        }

        @Override
        public void setFace(Face mode) {
            face = mode;
        }

        @Override
        public Face face() {
            return face;
        }

        @Override
        public Optional<Tensor> weight() {
            return Optional.of(weight);
        }

        @Override
        public Optional<Tensor> bias() {
            return Optional.of(bias);
        }
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
            DifferentiableCentering layer = new DifferentiableCentering();

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, input(), 3, Face.REFERENCE);

            assertTrue(report.passed(), report.describe());
            assertEquals(List.of("second-order gradient of input (3, 4)", "second-order gradient of weight (4)",
                    "second-order gradient of bias (4)", "second-order gradient of the output gradient (3, 4)"),
                    checked(report));
            assertEquals(0, layer.fusedForwards, "the reference face is checked on its own ops");
        }

        @Test
        void theReferenceFaceIsCheckedEvenWhenTheFusedFaceCannotGoOneOrderUp() {
            FaceChecksTest.RowCentering layer = new FaceChecksTest.RowCentering(NormSpec.of(4).withDtype(DType.FLOAT64),
                    FaceChecksTest.Bug.NONE);

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, input(), 3, Face.REFERENCE);

            assertTrue(report.passed(), report.describe());
        }

        @Test
        void theFusedFaceIsCheckedThroughTheLayersForwardOnItsFusedFace() {
            DifferentiableCentering layer = new DifferentiableCentering();
            layer.setFace(Face.REFERENCE);

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, input(), 3, Face.FUSED);

            assertTrue(report.passed(), report.describe());
            assertEquals(4, report.perInput().size(), report.describe());
            assertTrue(layer.fusedForwards > 0, "the fused face ran");
        }

        @Test
        void afterwardsTheFaceStateAndGradientsAreAsBefore() {
            DifferentiableCentering layer = new DifferentiableCentering();
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
            FaceChecksTest.RowCentering layer = new FaceChecksTest.RowCentering(NormSpec.of(4).withDtype(DType.FLOAT64),
                    FaceChecksTest.Bug.NONE);
            layer.setFace(Face.REFERENCE);

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> NormGradCheck.checkSecondOrder(layer, input(), 3, Face.FUSED));

            assertTrue(e.getMessage().startsWith("op 'row_centering (fused)' has no differentiable backward"),
                    e.getMessage());
            assertEquals(Face.REFERENCE, layer.face());
        }

        @Test
        void theFusedFaceOfANormWithoutOneIsRefused() {
            FaceChecksTest.RowCentering layer = new FaceChecksTest.RowCentering(NormSpec.of(4).withDtype(DType.FLOAT64),
                    FaceChecksTest.Bug.NO_FUSED_FACE);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormGradCheck.checkSecondOrder(layer, input(), 3, Face.FUSED));

            assertEquals("the second-order check of the fused face needs a norm with one; check the reference face "
                    + "instead", e.getMessage());
        }

        @Test
        void aFloat32LayerIsRefusedWithTheWayOut() {
            FaceChecksTest.RowCentering layer = new FaceChecksTest.RowCentering(NormSpec.of(4).withDtype(DType.FLOAT32),
                    FaceChecksTest.Bug.NONE);

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
            DifferentiableCentering layer = new DifferentiableCentering();
            layer.reference(input(), Statistics.batch()).sum().backward();

            GradCheck.Report report = NormGradCheck.check(layer, input(), 5);

            assertTrue(report.passed(), report.describe());
            assertEquals(List.of("gradient of input (3, 4)", "gradient of weight (4)", "gradient of bias (4)"),
                    checked(report));
            assertNoGradients(layer);
        }
    }
}
