package org.normkit.variants.power;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.variants.GoldenInputs.assertClose;
import static org.normkit.variants.GoldenInputs.sines;
import static org.normkit.variants.GoldenJson.doubles;
import static org.normkit.variants.GoldenJson.ints;

import java.io.IOException;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.check.NormGradCheck;
import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.variants.GoldenJson;

/**
 * PowerNorm against the PyTorch references of scripts/pytorch/golden_new_norms.py (the vanilla algorithm's lists
 * inline, the full algorithm's steps in golden/power-norm.json), on both faces; the full algorithm's warm-up, running
 * statistics, approximate backward and options.
 */
class PowerNormTest {
    private static final double TOLERANCE = 1e-12;
    /** PyTorch's float64 against ours: the same formulas, summed in other orders. */
    private static final double GOLDEN = 1e-10;

    private static NormLayer golden() {
        NormLayer pn = new PowerNorm().create(NormSpec.of(2).withDtype(DType.FLOAT64)
                .withOption(PowerNorm.ALGORITHM, PowerNorm.VANILLA));
        pn.weight().orElseThrow().copyFrom(sines(1, 2).add(1.0));
        pn.bias().orElseThrow().copyFrom(sines(2, 2));
        return pn;
    }

    @Nested
    class VanillaAgainstPyTorch {
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void trainingStepMatchesOutputGradientsAndRunningQuadraticMean(Face face) {
            NormLayer pn = golden();
            pn.setFace(face);
            Tensor x = sines(10, 3, 2, 4).requiresGrad(true);
            Tensor y = pn.forward(x);
            y.backward(sines(20, 3, 2, 4));
            assertClose(new double[] {-0.538519204375311, -1.025236323172623, -1.311657944722638, -1.359018246213128,
                -1.611453538171626, -1.105803690329795, -0.403301865163576, 0.400971610875831, 1.154846467049896,
                1.717141817961856, 2.108564649795996, 2.276137718511079, 2.46278657840057, 2.080851180698795,
                1.46446897280148, 0.697064394967874, 0.070447388881577, -0.548934901270073, -1.032486857197958,
                -1.314761990112008, -1.85003960414282, -1.604378744952385, -1.094386113715704, -0.389086820587083},
                    y, TOLERANCE, face + " y");
            assertClose(new double[] {0.555152999712746, 0.167047100869231, -0.243667839423559, -0.621403480747881,
                0.206806098811617, -0.33893404746501, -0.838801060428735, -1.225140284857094, -0.721088433294278,
                -0.363772059440968, 0.042779156125799, 0.443540413597035, -0.468967236883707, 0.072264971154715,
                0.603716454357651, 1.053457747625195, 0.8633106041089, 0.548534237811984, 0.159516335717653,
                -0.251091354091102, 0.715706212009019, 0.19678056575418, -0.348778406936123, -0.847131858441089},
                    x.grad(), TOLERANCE, face + " dx");
            assertClose(new double[] {-5.225815160494598, -1.805239815928577}, pn.weight().orElseThrow().grad(),
                    TOLERANCE, face + " dgamma");
            assertClose(new double[] {1.770610321181509, 0.243383716711856}, pn.bias().orElseThrow().grad(),
                    TOLERANCE, face + " dbeta");
            assertClose(new double[] {0.91513993204666, 0.911311609622238}, pn.stateDict().get("running_mean_square"),
                    TOLERANCE, face + " running quadratic mean (no Bessel correction)");
            assertTrue(!pn.stateDict().containsKey("running_mean"), "a mean of squares keeps no running mean");
            assertFalse(pn.stateDict().containsKey(PowerNorm.RUNNING_NU), "vanilla keeps no gradient statistic");

            pn.eval();
            assertClose(new double[] {0.050675227964432, -0.147298153360496, -0.263800850128059, -0.283064768869624,
                -0.341954036246055, -0.163800089920246, 0.08371006555318, 0.367077091753525, 0.739455866336042,
                0.968170878864059, 1.127383075339633, 1.195543831867974, 1.093509571909341, 0.95894353054197,
                0.741775616321078, 0.471398487655722, 0.298373882737232, 0.04643861771697, -0.150247325850985,
                -0.26506342820018, -0.42601427946087, -0.33946139764085, -0.159777372737675, 0.088718405413873},
                    pn.forward(sines(10, 3, 2, 4)), TOLERANCE, face + " eval y");
        }
    }

    @Nested
    class FullAlgorithmAgainstPyTorch {
        /**
         * Every step of every case of golden/power-norm.json, on both faces, float64; the padded case through
         * {@code forward(x, mask)}, with large values in the padding that must change nothing.
         */
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void everyStepAcrossTheWarmUpSwitchMatches(Face face) throws IOException {
            JsonNode doc = GoldenJson.read("/golden/power-norm.json", "normkit-power-golden/1",
                    "/usr/bin/python3 scripts/pytorch/golden_new_norms.py --write-power");
            int steps = 0;
            for (JsonNode c : doc.get("cases")) {
                steps += replay(c, face);
            }
            assertEquals(16, steps, "steps replayed");
        }

        private int replay(JsonNode c, Face face) {
            String name = c.get("name").asText() + " " + face;
            int[] shape = ints(c.get("shape"));
            NormLayer pn = new PowerNorm().create(NormSpec.of(shape[1]).withDtype(DType.FLOAT64)
                    .withEps(c.get("eps").asDouble()).withMomentum(c.get("momentum").asDouble())
                    .withOption(PowerNorm.WARMUP_STEPS, c.get("warmup_steps").asText())
                    .withOption(PowerNorm.ALPHA, c.get("alpha").asText()));
            pn.setFace(face);
            PositionMask mask = c.get("lengths").isNull() ? null
                    : PositionMask.ofLengths(ints(c.get("lengths")), shape[2]);
            pn.weight().orElseThrow().copyFrom(Tensor.of(doubles(c.get("weight")), shape[1]));
            pn.bias().orElseThrow().copyFrom(Tensor.of(doubles(c.get("bias")), shape[1]));
            int step = 0;
            for (JsonNode s : c.get("steps")) {
                String what = name + " step " + (step + 1);
                pn.zeroGrad();
                Tensor x = Tensor.of(doubles(s.get("input")), shape).requiresGrad(true);
                Tensor y = mask == null ? pn.forward(x) : pn.forward(x, mask);
                y.backward(Tensor.of(doubles(s.get("gradOutput")), shape));
                assertClose(doubles(s.get("output")), y, GOLDEN, what + " y");
                assertClose(doubles(s.get("gradInput")), x.grad(), GOLDEN, what + " dx");
                assertClose(doubles(s.get("gradWeight")), pn.weight().orElseThrow().grad(), GOLDEN, what + " dgamma");
                assertClose(doubles(s.get("gradBias")), pn.bias().orElseThrow().grad(), GOLDEN, what + " dbeta");
                assertClose(doubles(s.get("running_mean_square")), pn.stateDict().get("running_mean_square"), GOLDEN,
                        what + " running quadratic mean");
                assertClose(doubles(s.get("running_nu")), pn.buffer(PowerNorm.RUNNING_NU), GOLDEN,
                        what + " running gradient statistic nu");
                assertEquals(s.get("num_batches_tracked").asDouble(), pn.stateDict().get("num_batches_tracked")
                        .item(), what + " steps counted");
                step++;
            }
            pn.eval();
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                Tensor x = Tensor.of(doubles(c.get("evalInput")), shape);
                assertClose(doubles(c.get("evalOutput")), mask == null ? pn.forward(x) : pn.forward(x, mask),
                        GOLDEN, name + " eval y");
            }
            return step;
        }
    }

    @Nested
    class FullAlgorithm {
        private NormLayer layer(int channels, DType dtype, String... options) {
            NormSpec spec = NormSpec.of(channels).withDtype(dtype);
            for (int i = 0; i < options.length; i += 2) {
                spec = spec.withOption(options[i], options[i + 1]);
            }
            NormLayer pn = new PowerNorm().create(spec);
            pn.weight().orElseThrow().copyFrom(Tensor.of(new double[] {1.5, 0.75, 1.0}, 3).to(dtype));
            pn.bias().orElseThrow().copyFrom(Tensor.of(new double[] {0.1, -0.2, 0.3}, 3).to(dtype));
            return pn;
        }

        private Tensor input(int step) {
            return Tensor.randn(DType.FLOAT64, Shape.of(8, 3), 100 + step).mul(1 + step);
        }

        @Test
        void isTheDefault() {
            NormLayer pn = new PowerNorm().create(NormSpec.of(3));
            assertTrue(pn.stateDict().containsKey(PowerNorm.RUNNING_NU), "the full algorithm keeps nu");
            assertTrue(pn.approximateBackward().isPresent(), "training with the full algorithm is approximate");
            pn.eval();
            assertTrue(pn.approximateBackward().isEmpty(), "evaluation has the exact backward");
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void warmUpNormalisesWithTheBatchThenWithTheRunningQuadraticMean(Face face) {
            NormLayer pn = layer(3, DType.FLOAT64, PowerNorm.WARMUP_STEPS, "2");
            pn.setFace(face);
            for (int step = 0; step < 4; step++) {
                Tensor x = input(step);
                boolean warmingUp = step < 2;
                assertEquals(warmingUp, pn.statisticsInUse().isBatch(), "step " + (step + 1));
                Tensor running = pn.stateDict().get("running_mean_square").copy();
                Tensor psi2 = warmingUp ? x.square().mean(new int[] {0}, false) : running;
                Tensor expected = x.div(psi2.add(1e-5).sqrt().reshape(1, 3))
                        .mul(pn.weight().orElseThrow().detach().reshape(1, 3))
                        .add(pn.bias().orElseThrow().detach().reshape(1, 3));
                assertClose(expected.toDoubleArray(), pn.forward(x), 1e-12, face + " step " + (step + 1)
                        + (warmingUp ? ": the batch's quadratic mean" : ": the running one before this step's update"));
            }
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void runningQuadraticMeanIsTheMomentumAverageOfTheBatchOnesAcrossTheSwitch(Face face) {
            NormLayer pn = layer(3, DType.FLOAT64, PowerNorm.WARMUP_STEPS, "1");
            pn.setFace(face);
            double[] expected = {1, 1, 1};
            for (int step = 0; step < 3; step++) {
                Tensor x = input(step);
                double[] batch = x.square().mean(new int[] {0}, false).toDoubleArray();
                for (int c = 0; c < 3; c++) {
                    expected[c] = 0.9 * expected[c] + 0.1 * batch[c];
                }
                pn.forward(x);
                assertClose(expected, pn.stateDict().get("running_mean_square"), 1e-12, face + " step " + (step + 1));
            }
        }

        /**
         * With ν given, one training step's ∂L/∂x is (γ·∂L/∂y − ν·x̂)/sqrt(ψ² + eps) with ψ held, and ν then moves by
         * ν·(1 − (1 − α)·Γ) + (1 − α)·Λ, written out here element by element, in the warm-up and after it.
         */
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void approximateBackwardIsThePapersFormula(Face face) {
            for (String warmup : new String[] {"5", "0"}) {
                NormLayer pn = layer(3, DType.FLOAT64, PowerNorm.WARMUP_STEPS, warmup, PowerNorm.ALPHA, "0.7");
                pn.setFace(face);
                double[] nu = {0.4, -0.3, 0.2};
                pn.buffer(PowerNorm.RUNNING_NU).copyFrom(Tensor.of(nu, 3));
                pn.stateDict().get("running_mean_square").copyFrom(Tensor.of(new double[] {2.0, 0.5, 1.5}, 3));
                Tensor x = input(1);
                Tensor dy = Tensor.randn(DType.FLOAT64, Shape.of(8, 3), 7);
                double[] psi2 = warmup.equals("0") ? new double[] {2.0, 0.5, 1.5}
                        : x.square().mean(new int[] {0}, false).toDoubleArray();
                double[] gamma = pn.weight().orElseThrow().toDoubleArray();
                double[] xs = x.toDoubleArray();
                double[] gs = dy.toDoubleArray();
                double[] dx = new double[xs.length];
                double[] lambda = new double[3];
                double[] bigGamma = new double[3];
                for (int i = 0; i < xs.length; i++) {
                    int c = i % 3;
                    double r = 1 / Math.sqrt(psi2[c] + 1e-5);
                    double xhat = xs[i] * r;
                    double ghat = gamma[c] * gs[i];
                    dx[i] = (ghat - nu[c] * xhat) * r;
                    lambda[c] += ghat * xhat / 8;
                    bigGamma[c] += xhat * xhat / 8;
                }
                double[] nuAfter = new double[3];
                for (int c = 0; c < 3; c++) {
                    nuAfter[c] = nu[c] * (1 - 0.3 * bigGamma[c]) + 0.3 * lambda[c];
                }
                Tensor in = x.copy().requiresGrad(true);
                pn.forward(in).backward(dy);
                String what = face + " warmup_steps=" + warmup;
                assertClose(dx, in.grad(), 1e-12, what + ": dx");
                assertClose(nuAfter, pn.buffer(PowerNorm.RUNNING_NU), 1e-12, what + ": nu after the step");
            }
        }

        @Test
        void facesAgreeOverSeveralStepsInFloat32() {
            NormLayer reference = layer(3, DType.FLOAT32, PowerNorm.WARMUP_STEPS, "2");
            NormLayer fused = layer(3, DType.FLOAT32, PowerNorm.WARMUP_STEPS, "2");
            reference.setFace(Face.REFERENCE);
            fused.setFace(Face.FUSED);
            for (int step = 0; step < 4; step++) {
                Tensor dy = Tensor.randn(DType.FLOAT64, Shape.of(8, 3), 50 + step).to(DType.FLOAT32);
                Tensor a = input(step).to(DType.FLOAT32).requiresGrad(true);
                Tensor b = input(step).to(DType.FLOAT32).requiresGrad(true);
                Tensor ya = reference.forward(a);
                Tensor yb = fused.forward(b);
                ya.backward(dy);
                yb.backward(dy);
                String what = "float32 step " + (step + 1);
                assertClose(ya.toDoubleArray(), yb, 1e-5, what + " y");
                assertClose(a.grad().toDoubleArray(), b.grad(), 1e-5, what + " dx");
                assertClose(reference.buffer(PowerNorm.RUNNING_NU).toDoubleArray(), fused.buffer(PowerNorm.RUNNING_NU),
                        1e-5, what + " nu");
                assertClose(reference.weight().orElseThrow().grad().toDoubleArray(), fused.weight().orElseThrow()
                        .grad(), 1e-4, what + " dgamma");
                reference.zeroGrad();
                fused.zeroGrad();
            }
        }

        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void aBackwardThatBuildsAGraphLeavesNuAlone(Face face) {
            NormLayer pn = layer(3, DType.FLOAT64);
            pn.setFace(face);
            Tensor x = input(0).requiresGrad(true);
            Tensor[] grads = Backprop.grad(pn.forward(x).square().sum(), new Tensor[] {x}, true);
            assertNotNull(grads[0]);
            assertArrayEquals(new double[] {0, 0, 0}, pn.buffer(PowerNorm.RUNNING_NU).toDoubleArray(),
                    face + ": a higher-order pass is no training step");
        }

        @Test
        void evaluationHasTheExactBackward() {
            NormLayer pn = layer(3, DType.FLOAT64, PowerNorm.WARMUP_STEPS, "0");
            pn.buffer(PowerNorm.RUNNING_NU).copyFrom(Tensor.of(new double[] {0.5, 0.5, 0.5}, 3));
            pn.eval();
            GradCheck.Report report = NormGradCheck.check(pn, input(2), 3);
            assertTrue(report.passed(), report.describe());
        }

        /**
         * Padding changes nothing: a padded batch gives at its valid positions, in ψ², ν and the gradients, what the
         * valid rows alone give without a mask, and 0 (with no gradient) at the padding.
         */
        @ParameterizedTest
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void masksExcludePadding(Face face) {
            for (String warmup : new String[] {"5", "0"}) {
                NormLayer masked = layer(3, DType.FLOAT64, PowerNorm.WARMUP_STEPS, warmup);
                NormLayer rows = layer(3, DType.FLOAT64, PowerNorm.WARMUP_STEPS, warmup);
                masked.setFace(face);
                rows.setFace(face);
                boolean[] validRows = {true, false, true, true, false, true, true, true};
                int[] kept = {0, 2, 3, 5, 6, 7};
                for (int step = 0; step < 2; step++) {
                    Tensor x = input(step);
                    Tensor padded = x.copy();
                    for (int r = 0; r < 8; r++) {
                        if (!validRows[r]) {
                            for (int c = 0; c < 3; c++) {
                                padded.set(r * 3 + c, 1e3);
                            }
                        }
                    }
                    Tensor dy = Tensor.randn(DType.FLOAT64, Shape.of(8, 3), 30 + step);
                    Tensor a = padded.requiresGrad(true);
                    Tensor ya = masked.forward(a, PositionMask.of(Shape.of(8), validRows));
                    ya.backward(dy);
                    Tensor b = rowsOf(x, kept).requiresGrad(true);
                    Tensor yb = rows.forward(b);
                    yb.backward(rowsOf(dy, kept));
                    String what = face + " warmup_steps=" + warmup + " step " + (step + 1);
                    assertClose(yb.toDoubleArray(), rowsOf(ya.detach(), kept), 1e-12, what + ": y at the valid rows");
                    assertClose(b.grad().toDoubleArray(), rowsOf(a.grad(), kept), 1e-12, what + ": dx at the valid rows");
                    for (int r : new int[] {1, 4}) {
                        for (int c = 0; c < 3; c++) {
                            assertEquals(0.0, ya.get(r * 3 + c), 0.0, what + ": y at padding");
                            assertEquals(0.0, a.grad().get(r * 3 + c), 0.0, what + ": dx at padding");
                        }
                    }
                    assertClose(rows.stateDict().get("running_mean_square").toDoubleArray(),
                            masked.stateDict().get("running_mean_square"), 1e-12, what + ": psi^2");
                    assertClose(rows.buffer(PowerNorm.RUNNING_NU).toDoubleArray(),
                            masked.buffer(PowerNorm.RUNNING_NU), 1e-12, what + ": nu");
                    assertClose(rows.weight().orElseThrow().grad().toDoubleArray(),
                            masked.weight().orElseThrow().grad(), 1e-12, what + ": dgamma");
                    masked.zeroGrad();
                    rows.zeroGrad();
                }
            }
        }

        private Tensor rowsOf(Tensor t, int[] kept) {
            double[] all = t.toDoubleArray();
            double[] out = new double[kept.length * 3];
            for (int k = 0; k < kept.length; k++) {
                System.arraycopy(all, kept[k] * 3, out, k * 3, 3);
            }
            return Tensor.of(out, kept.length, 3);
        }

        @Test
        void resetRunningStatsSetsNuBackToZero() {
            NormLayer pn = layer(3, DType.FLOAT64);
            Tensor x = input(0).requiresGrad(true);
            pn.forward(x).sum().backward();
            assertFalse(Arrays.equals(new double[3], pn.buffer(PowerNorm.RUNNING_NU).toDoubleArray()), "nu moved");
            pn.resetRunningStats();
            assertArrayEquals(new double[3], pn.buffer(PowerNorm.RUNNING_NU).toDoubleArray());
        }
    }

    @Nested
    class Options {
        private IllegalArgumentException refused(String... options) {
            NormSpec spec = NormSpec.of(4);
            for (int i = 0; i < options.length; i += 2) {
                spec = spec.withOption(options[i], options[i + 1]);
            }
            NormSpec built = spec;
            return assertThrows(IllegalArgumentException.class, () -> new PowerNorm().create(built));
        }

        @Test
        void anUnknownAlgorithmIsRefusedNamingBoth() {
            String message = refused(PowerNorm.ALGORITHM, "fast").getMessage();
            assertTrue(message.startsWith("power_norm: option algorithm=fast is not an algorithm: expected full"),
                    message);
        }

        @Test
        void warmupStepsMustBeANonNegativeInteger() {
            for (String bad : new String[] {"-1", "2.5", "many"}) {
                String message = refused(PowerNorm.WARMUP_STEPS, bad).getMessage();
                assertTrue(message.startsWith("power_norm: option warmup_steps=" + bad + " must be an integer >= 0"),
                        message);
            }
        }

        @Test
        void alphaMustLieInTheUnitInterval() {
            for (String bad : new String[] {"1.5", "-0.1", "NaN", "x"}) {
                String message = refused(PowerNorm.ALPHA, bad).getMessage();
                assertTrue(message.startsWith("power_norm: option alpha=" + bad + " must be a number in [0, 1]"),
                        message);
            }
        }

        @Test
        void fullAlgorithmOptionsAreRefusedWithVanilla() {
            String message = refused(PowerNorm.ALGORITHM, "vanilla", PowerNorm.WARMUP_STEPS, "10").getMessage();
            assertTrue(message.contains("warmup_steps belongs to algorithm=full"), message);
        }

        @Test
        void theFullAlgorithmNeedsRunningStatistics() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new PowerNorm().create(NormSpec.of(4).withTrackRunningStats(false)));
            assertTrue(e.getMessage().contains("use algorithm=vanilla"), e.getMessage());
            new PowerNorm().create(NormSpec.of(4).withTrackRunningStats(false)
                    .withOption(PowerNorm.ALGORITHM, PowerNorm.VANILLA));
        }

        @Test
        void aMisspeltOptionListsTheOptions() {
            String message = refused("warmup", "10").getMessage();
            assertTrue(message.contains("algorithm") && message.contains("warmup_steps") && message.contains("alpha"),
                    message);
        }
    }

    @Nested
    class Inputs {
        @Test
        void oneValuePerChannelIsRefusedInTrainingWithTheWayOut() {
            NormLayer pn = new PowerNorm().create(NormSpec.of(3));
            UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
                    () -> pn.forward(Tensor.zeros(DType.FLOAT32, Shape.of(1, 3))));
            assertTrue(e.getMessage().contains("call eval()"), e.getMessage());
        }

        @Test
        void aZeroChannelGivesBeta() {
            NormLayer pn = new PowerNorm().create(NormSpec.of(1).withDtype(DType.FLOAT64));
            pn.bias().orElseThrow().copyFrom(Tensor.of(new double[] {0.25}, 1));
            assertArrayEquals(new double[] {0.25, 0.25}, pn.forward(Tensor.zeros(DType.FLOAT64, 2, 1)).toDoubleArray());
        }
    }
}
