package org.normkit.autograd.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.graph.FusedOp;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** FaceAgreement and NormGradCheck on a small norm of this test whose fused face can carry a planted bug. */
class FaceChecksTest {
    private static final Shape INPUT = Shape.of(3, 4);

    /** The bugs the fused face can carry. */
    enum Bug { NONE, INPUT_GRADIENT_SCALED, NO_BIAS_GRADIENT, NO_FUSED_FACE }

    /**
     * Test-only: y = (x − mean of its row)·γ + β over the last dimension, with a fused face of plain loops (the
     * "rstd" it saves is 1). Not a model of how the real norms are written.
     */
    static final class RowCentering extends Normalization {
        private final NormSpec spec;
        private final Bug bug;
        private final Tensor weight;
        private final Tensor bias;
        private Face face = Face.AUTO;

        RowCentering(NormSpec spec, Bug bug) {
            this.spec = spec;
            this.bug = bug;
            this.weight = registerParameter("weight", Tensor.ones(spec.dtype(), spec.numFeatures())).value();
            this.bias = registerParameter("bias", Tensor.zeros(spec.dtype(), spec.numFeatures())).value();
        }

        @Override
        public Tensor forward(Tensor x) {
            if (face == Face.REFERENCE || bug == Bug.NO_FUSED_FACE) {
                return reference(x, Statistics.batch());
            }
            Kernel kernel = new Kernel();
            Tensor xData = x.detach();
            Tensor gamma = weight.detach();
            Tensor out = x.zerosLike();
            FusedNorm.Saved saved = kernel.forward(xData, gamma, bias.detach(), Statistics.batch(), out);
            // The planted NO_BIAS_GRADIENT leaves β out of the recorded inputs, so the graph never reaches it.
            Tensor[] inputs = {x, weight, bug == Bug.NO_BIAS_GRADIENT ? null : bias};
            return FusedOp.record("row_centering (fused)", out, inputs, (g, needs) -> {
                FusedNorm.Gradients grads = kernel.backward(g, xData, saved, gamma,
                        new FusedNorm.GradMask(needs[0], needs[1], needs[2]));
                return new Tensor[] {grads.input(), grads.weight(), grads.bias()};
            }, null);
        }

        @Override
        public NormSpec spec() {
            return spec;
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            return x.sub(x.mean(new int[] {x.rank() - 1}, true)).mul(weight).add(bias);
        }

        @Override
        public Optional<FusedNorm> fused() {
            return bug == Bug.NO_FUSED_FACE ? Optional.empty() : Optional.of(new Kernel());
        }

        @Override
        public void setFace(Face mode) {
            this.face = mode;
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

        private final class Kernel implements FusedNorm {
            @Override
            public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
                int k = x.dim(-1);
                int rows = x.numel() / k;
                double[] mean = new double[rows];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < k; j++) {
                        mean[r] += x.get(r * k + j) / k;
                    }
                    for (int j = 0; j < k; j++) {
                        out.set(r * k + j, (x.get(r * k + j) - mean[r]) * gamma.get(j) + beta.get(j));
                    }
                }
                return new Saved(Tensor.wrap(mean, Shape.of(rows)), Tensor.ones(DType.FLOAT64, rows), true);
            }

            @Override
            public Gradients backward(Tensor g, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
                int k = x.dim(-1);
                int rows = x.numel() / k;
                Tensor dx = x.zerosLike();
                Tensor dGamma = gamma.zerosLike();
                Tensor dBeta = gamma.zerosLike();
                double scale = bug == Bug.INPUT_GRADIENT_SCALED ? 1.5 : 1;
                for (int r = 0; r < rows; r++) {
                    double meanGGamma = 0;
                    for (int j = 0; j < k; j++) {
                        meanGGamma += g.get(r * k + j) * gamma.get(j) / k;
                        dGamma.set(j, dGamma.get(j) + g.get(r * k + j) * (x.get(r * k + j) - saved.mean().get(r)));
                        dBeta.set(j, dBeta.get(j) + g.get(r * k + j));
                    }
                    for (int j = 0; j < k; j++) {
                        dx.set(r * k + j, scale * (g.get(r * k + j) * gamma.get(j) - meanGGamma));
                    }
                }
                return new Gradients(mask.input() ? dx : null, mask.weight() ? dGamma : null,
                        mask.bias() ? dBeta : null);
            }
        }
    }

    private static FaceAgreement.Report agreement(Bug bug, boolean training) {
        return FaceAgreement.check("row_centering", () -> new RowCentering(NormSpec.of(4).withDtype(DType.FLOAT64),
                bug), INPUT, training, 7);
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
            RowCentering layer = new RowCentering(NormSpec.of(4).withDtype(DType.FLOAT64), Bug.NONE);
            layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), 3));

            GradCheck.Report report = NormGradCheck.check(layer, Tensor.randn(DType.FLOAT64, INPUT, 4), 5);

            assertTrue(report.passed(), report.describe());
            assertEquals(3, report.perInput().size(), report.describe());
        }

        @Test
        void aFloat32LayerIsRefusedWithTheWayOut() {
            RowCentering layer = new RowCentering(NormSpec.of(4).withDtype(DType.FLOAT32), Bug.NONE);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NormGradCheck.check(layer, Tensor.randn(DType.FLOAT32, INPUT, 4), 5));

            assertEquals("gradcheck needs a float64 layer, got float32: build it with "
                    + "NormSpec.withDtype(DType.FLOAT64)", e.getMessage());
        }
    }
}
