package org.normkit.variants.dyt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.variants.GoldenInputs.assertClose;
import static org.normkit.variants.GoldenInputs.sines;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.optim.Adam;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/** DyT against the PyTorch reference of scripts/pytorch/golden_new_norms.py, on both faces, and its α gradient. */
class DynamicTanhTest {
    private static final double TOLERANCE = 1e-12;

    private static DynamicTanh golden() {
        DynamicTanh dyt = new DynamicTanh(NormSpec.of(4).withDtype(DType.FLOAT64));
        dyt.weight().orElseThrow().copyFrom(sines(1, 4).add(1.0));
        dyt.bias().orElseThrow().copyFrom(sines(2, 4));
        return dyt;
    }

    @Nested
    class AgainstPyTorch {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void outputAndEveryGradientMatch(Face face) {
            DynamicTanh dyt = golden();
            dyt.setFace(face);
            Tensor x = sines(10, 2, 3, 4).requiresGrad(true);
            Tensor y = dyt.forward(x);
            y.backward(sines(20, 2, 3, 4));
            assertClose(new double[] {0.262603843101332, 0.050756501525516, -0.158768842854467, -0.332012439580006,
                0.145361054743004, 0.106217448642931, 0.069044421651417, 0.02423476153013, 0.590460947491097,
                0.603696244717947, 0.527892955269809, 0.365039536648579, 0.787378579514505, 0.636290985259787,
                0.382470892370009, 0.071965043948911, 0.379968646152921, 0.145151592642933, -0.104443600581466,
                -0.323852723726651, 0.109136048513078, 0.025416236956865, -0.045578463495756, -0.102925643258536},
                    y, TOLERANCE, face + " y");
            assertClose(new double[] {0.318338585878685, 0.357146584873608, 0.334363465937915, 0.259292947107136,
                0.165514437188148, 0.051014606065759, -0.084060218803287, -0.201381008112571, -0.29008009342106,
                -0.351890519541652, -0.351331382909534, -0.293496659007441, -0.21439631302821, -0.113737801043363,
                0.017354382164336, 0.144559961737488, 0.25092455858924, 0.334727530862672, 0.357815214303737,
                0.319279833908737, 0.25635288963916, 0.171524818516404, 0.04868186152081, -0.082842298565007},
                    x.grad(), TOLERANCE, face + " dx");
            assertClose(new double[] {-3.675405835800428}, dyt.alpha().grad(), TOLERANCE, face + " dalpha");
            assertClose(new double[] {-0.341026124753543, -0.340142456622425, -0.32150658236007, -0.297201616570774},
                    dyt.weight().orElseThrow().grad(), TOLERANCE, face + " dgamma");
            assertClose(new double[] {0.707388657730502, 0.623976847431526, 0.456112698040413, 0.226515834690923},
                    dyt.bias().orElseThrow().grad(), TOLERANCE, face + " dbeta");
        }
    }

    @Nested
    class Gradients {
        @Test
        void fusedFaceMatchesFiniteDifferencesInX() {
            DynamicTanh dyt = golden();
            GradCheck.Report report = GradCheck.check(in -> dyt.fusedForward(in.get(0)),
                    List.of(Tensor.randn(DType.FLOAT64, Shape.of(3, 4), 5)), 9);
            assertTrue(report.passed(), report.describe());
        }

        @Test
        void alphaGradientMatchesACentralDifferenceOnBothFaces() {
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(3, 4), 5);
            Tensor w = Tensor.randn(DType.FLOAT64, Shape.of(3, 4), 6);
            for (Face face : List.of(Face.REFERENCE, Face.FUSED)) {
                DynamicTanh dyt = golden();
                dyt.setFace(face);
                dyt.forward(x).mul(w).sum().backward();
                double analytic = dyt.alpha().grad().get(0);
                double h = 1e-6;
                double a = dyt.alpha().value().get(0);
                dyt.alpha().value().set(0, a + h);
                double plus = dyt.forward(x).mul(w).sum().item();
                dyt.alpha().value().set(0, a - h);
                double minus = dyt.forward(x).mul(w).sum().item();
                assertEquals((plus - minus) / (2 * h), analytic, 1e-7, face.toString());
            }
        }
    }

    /**
     * α is a {@code Parameter} registered on the layer like γ and β, so an optimizer built from a net's
     * {@code parameters()} trains it and its state dict saves and restores it: DyT needs no extra slot in a NormLayer.
     */
    @Nested
    class LearnableAlpha {
        @Test
        void anOptimizerBuiltFromTheParametersMovesAlpha() {
            DynamicTanh dyt = new DynamicTanh(NormSpec.of(4).withDtype(DType.FLOAT64));
            assertTrue(dyt.parameters().contains(dyt.alpha()), "parameters: " + dyt.parameters());
            Adam adam = new Adam(dyt.parameters(), 0.1);
            dyt.forward(sines(0, 3, 4)).mul(sines(1, 3, 4)).sum().backward();
            adam.step();
            assertNotEquals(0.5, dyt.alpha().value().get(0));
        }

        @Test
        void theStateDictSavesAndRestoresAlpha() {
            DynamicTanh trained = new DynamicTanh(NormSpec.of(4));
            trained.alpha().value().set(0, 1.25);
            assertEquals(List.of("alpha", "weight", "bias"), List.copyOf(trained.stateDict().keySet()));
            DynamicTanh fresh = new DynamicTanh(NormSpec.of(4));
            fresh.loadStateDict(trained.stateDict());
            assertEquals(1.25, fresh.alpha().value().get(0));
        }
    }

    @Nested
    class Options {
        @Test
        void alphaStartsAtTheOption() {
            DynamicTanh dyt = new DynamicTanh(NormSpec.of(3).withOption(DynamicTanh.ALPHA_INIT, "2"));
            assertEquals(2.0, dyt.alpha().value().get(0));
            assertEquals(0.5, new DynamicTanh(NormSpec.of(3)).alpha().value().get(0));
        }

        @Test
        void aNonNumericAlphaIsRefusedWithTheForm() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DynamicTanh(NormSpec.of(3).withOption(DynamicTanh.ALPHA_INIT, "big")));
            assertTrue(e.getMessage().startsWith("dyt: option alpha_init=big is not a finite number"), e.getMessage());
        }

        @Test
        void theLastAxisMustHoldTheFeatures() {
            DynamicTanh dyt = new DynamicTanh(NormSpec.of(3));
            ShapeException e = assertThrows(ShapeException.class, () -> dyt.forward(Tensor.zeros(DType.FLOAT32, 2, 4)));
            assertTrue(e.getMessage().contains("expected input (N, 3) or (N, T, 3)"), e.getMessage());
        }
    }

    @Nested
    class FaceChoice {
        private final Tensor x = Tensor.randn(DType.FLOAT64, Shape.of(2, 3), 1).requiresGrad(true);

        private DynamicTanh dyt(Face face) {
            DynamicTanh dyt = new DynamicTanh(NormSpec.of(3).withDtype(DType.FLOAT64));
            dyt.setFace(face);
            return dyt;
        }

        @Test
        void aLayerSetToAFaceRunsItAndSaysSo() {
            assertEquals("dyt (fused)", dyt(Face.FUSED).forward(x).creator().op());
            assertFalse(dyt(Face.REFERENCE).forward(x).creator().op().contains("fused"), "composed ops only");
            assertEquals(Face.REFERENCE, dyt(Face.REFERENCE).face());
        }

        @Test
        void anAutoLayerFollowsTheScopeAndRunsFusedOutsideOne() {
            assertEquals("dyt (fused)", dyt(Face.AUTO).forward(x).creator().op());
            try (Face.Scope ignored = Face.scope(Face.REFERENCE)) {
                assertFalse(dyt(Face.AUTO).forward(x).creator().op().contains("fused"));
                assertEquals("dyt (fused)", dyt(Face.FUSED).forward(x).creator().op(), "the layer's own face wins");
            }
        }

        @Test
        void theReferenceFaceChecksTheShapeToo() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> dyt(Face.REFERENCE).reference(Tensor.zeros(DType.FLOAT64, 2, 4), Statistics.batch()));
            assertTrue(e.getMessage().contains("expected input (N, 3) or (N, T, 3)"), e.getMessage());
        }

        @Test
        void itPrintsItsSizeAndAlphaLikePyTorch() {
            assertEquals("DynamicTanh(3, alpha_init=0.5)", dyt(Face.AUTO).toString());
        }
    }

    @Nested
    class Contract {
        private final DynamicTanhProvider.Contract contract = new DynamicTanhProvider.Contract();

        @Test
        void takesRankTwoAndThreeWithAtLeastOneElement() {
            assertTrue(contract.accepts(Shape.of(1, 1)));
            assertTrue(contract.accepts(Shape.of(2, 3, 4)));
            assertFalse(contract.accepts(Shape.of(0, 3)), "an empty batch has nothing to normalise");
            assertFalse(contract.accepts(Shape.of(4)));
            assertFalse(contract.accepts(Shape.of(1, 2, 3, 4)));
        }

        @Test
        void aRefusedShapeIsNamedWithTheLayoutTaken() {
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> contract.specFor(Shape.of(1, 2, 3, 4), NormSpec.of(1)));
            assertEquals("dyt cannot take an input of shape (1, 2, 3, 4): it accepts (N, C) or (N, T, C), channels "
                    + "last", e.getMessage());
        }
    }
}
