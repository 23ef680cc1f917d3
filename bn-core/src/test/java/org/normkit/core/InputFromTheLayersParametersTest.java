package org.normkit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.check.NormGradCheck;
import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.batch.BatchNorm;

/**
 * A norm whose input is computed from its own γ and β (x = z·γ + β, then BatchNorm with that γ and β): a backward
 * that builds a graph through the fused node differentiates the reference face there ({@code NormLayer}'s reference
 * gradients), and must count the paths from γ and β through x once, in the sweep, not again inside the node.
 */
class InputFromTheLayersParametersTest {
    private static final int C = 3;
    private static final Shape INPUT = Shape.of(4, C, 5);
    private static final PositionMask MASK = PositionMask.ofLengths(new int[] {5, 3, 4, 2}, 5);

    /** Test-only: y = norm(z·γ + β) with the norm's own γ and β, on the unmasked or the masked call. */
    private static final class InputFromTheParameters extends Normalization {
        private final NormLayer norm;
        private final boolean masked;

        InputFromTheParameters(boolean masked) {
            this.norm = registerChild("norm", new BatchNorm().create("batch_norm1d",
                    NormSpec.of(C).withDtype(DType.FLOAT64)));
            this.masked = masked;
            norm.weight().orElseThrow().copyFrom(Tensor.uniform(DType.FLOAT64, Shape.of(C), 0.5, 1.5, 3));
            norm.bias().orElseThrow().copyFrom(Tensor.uniform(DType.FLOAT64, Shape.of(C), -0.5, 0.5, 4));
        }

        private Tensor input(Tensor z) {
            return z.mul(norm.weight().orElseThrow().reshape(1, C, 1)).add(norm.bias().orElseThrow().reshape(1, C, 1));
        }

        @Override
        public Tensor forward(Tensor z) {
            return masked ? norm.forward(input(z), MASK) : norm.forward(input(z));
        }

        @Override
        public Tensor reference(Tensor z, Statistics use) {
            return masked ? norm.reference(input(z), use, MASK) : norm.reference(input(z), use);
        }

        @Override
        public NormSpec spec() {
            return norm.spec();
        }

        @Override
        public Optional<FusedNorm> fused() {
            return norm.fused();
        }

        @Override
        public void setFace(Face mode) {
            norm.setFace(mode);
        }

        @Override
        public Face face() {
            return norm.face();
        }

        @Override
        public Optional<Tensor> weight() {
            return norm.weight();
        }

        @Override
        public Optional<Tensor> bias() {
            return norm.bias();
        }
    }

    /** ∂(Σ y·g)/∂(z, γ, β) through the layer's face, with or without a graph of the backward itself. */
    private static double[][] firstOrder(InputFromTheParameters layer, Face face, boolean createGraph) {
        layer.setFace(face);
        Tensor z = Tensor.randn(DType.FLOAT64, INPUT, 7).requiresGrad(true);
        Tensor y = layer.forward(z);
        Tensor[] wrt = {z, layer.weight().orElseThrow(), layer.bias().orElseThrow()};
        Tensor[] grads = Backprop.grad(new Tensor[] {y}, wrt, new Tensor[] {Tensor.randn(DType.FLOAT64, INPUT, 8)},
                createGraph, createGraph, false);
        double[][] values = new double[grads.length][];
        for (int i = 0; i < grads.length; i++) {
            values[i] = grads[i].toDoubleArray();
        }
        return values;
    }

    private static void assertClose(double[][] expected, double[][] actual, String what) {
        String[] names = {"z", "γ", "β"};
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], actual[i][j], 1e-10 * Math.max(1, Math.abs(expected[i][j])),
                        what + ": gradient of " + names[i] + " at " + j);
            }
        }
    }

    @Nested
    class TheFusedNodesDifferentiableBackward {
        @ParameterizedTest(name = "masked {0}")
        @ValueSource(booleans = {false, true})
        void givesTheKernelsGradientsWhenTheInputIsComputedFromGammaAndBeta(boolean masked) {
            double[][] kernel = firstOrder(new InputFromTheParameters(masked), Face.FUSED, false);
            double[][] differentiable = firstOrder(new InputFromTheParameters(masked), Face.FUSED, true);
            double[][] reference = firstOrder(new InputFromTheParameters(masked), Face.REFERENCE, false);

            assertClose(reference, kernel, "the kernel's backward against the reference face");
            assertClose(kernel, differentiable, "the backward that builds a graph against the kernel's");
        }
    }

    @Nested
    class SecondOrderGradcheck {
        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void passesForTheInputGammaBetaAndTheOutputGradient(Face face) {
            InputFromTheParameters layer = new InputFromTheParameters(false);

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, Tensor.randn(DType.FLOAT64, INPUT, 9), 5,
                    face);

            assertTrue(report.passed(), report.describe());
            assertEquals(4, report.perInput().size(), report.describe());
        }

        @Test
        void passesOnTheMaskedFusedFaceToo() {
            InputFromTheParameters layer = new InputFromTheParameters(true);

            GradCheck.Report report = NormGradCheck.checkSecondOrder(layer, Tensor.randn(DType.FLOAT64, INPUT, 9), 5,
                    Face.FUSED);

            assertTrue(report.passed(), report.describe());
        }
    }
}
