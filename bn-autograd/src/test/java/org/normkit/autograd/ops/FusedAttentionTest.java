package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.autograd.TestTensors.assertGradients;
import static org.normkit.autograd.TestTensors.assertSecondOrderGradients;
import static org.normkit.autograd.TestTensors.assertValues;
import static org.normkit.autograd.TestTensors.randn;

import java.util.stream.Stream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The fused attention ({@link Attention#selfAttention}) against its composition from primitives
 * ({@link Attention#composed}): the same context and the same gradient of the packed projection, with every kind of
 * mask the nets build, in float64 and float32; finite differences of its gradients and of their gradients.
 */
class FusedAttentionTest {
    private static final int BATCH = 3;
    private static final int STEPS = 5;

    /** (B, 1, 1, T) padding with lengths 5, 3, 1, and causal on top: what the text transformer passes. */
    private static Tensor causalPadded(DType dtype) {
        return Masks.attention(Masks.padding(new int[] {5, 3, 1}, STEPS, dtype), true);
    }

    static Stream<Arguments> masks() {
        Tensor perHead = randn(40, BATCH, 2, STEPS, STEPS).gt(Tensor.scalar(-0.5, DType.FLOAT64));
        return Stream.of(
                Arguments.of("no mask", null),
                Arguments.of("causal (T, T)", Masks.causal(STEPS, DType.FLOAT64)),
                Arguments.of("padding (B, 1, 1, T)", Masks.attention(Masks.padding(new int[] {5, 3, 1}, STEPS,
                        DType.FLOAT64), false)),
                Arguments.of("causal and padding (B, 1, T, T)", causalPadded(DType.FLOAT64)),
                Arguments.of("a mask per head (B, heads, T, T)", perHead),
                Arguments.of("every key of a query masked", Tensor.zeros(DType.FLOAT64, 1, STEPS)));
    }

    /** Context and qkv's gradient (weighted by a fixed random output gradient) of the fused op and the composition. */
    private static void assertSameAsComposed(Tensor qkvValues, int heads, Tensor keep, double tolerance) {
        Tensor fusedIn = qkvValues.copy().requiresGrad(true);
        Tensor composedIn = qkvValues.copy().requiresGrad(true);
        Tensor fused = Attention.selfAttention(fusedIn, heads, keep);
        Tensor composed = Attention.composed(composedIn, heads, keep);
        assertValues(composed, fused, tolerance);
        Tensor weights = randn(99, fused.shape().dims()).to(fused.dtype());
        Tensor gradFused = Backprop.grad(new Tensor[] {fused}, new Tensor[] {fusedIn}, new Tensor[] {weights}, false,
                false, false)[0];
        Tensor gradComposed = Backprop.grad(new Tensor[] {composed}, new Tensor[] {composedIn},
                new Tensor[] {weights}, false, false, false)[0];
        assertValues(gradComposed, gradFused, tolerance);
    }

    @Nested
    class AgainstTheComposition {
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.autograd.ops.FusedAttentionTest#masks")
        void float64ValuesAndGradientsAreTheComposedOnes(String name, Tensor keep) {
            assertSameAsComposed(randn(1, BATCH, STEPS, 3 * 8).mul(2.0), 2, keep, 1e-13);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("org.normkit.autograd.ops.FusedAttentionTest#masks")
        void float32ValuesAndGradientsAgreeToFloatPrecision(String name, Tensor keep) {
            assertSameAsComposed(randn(2, BATCH, STEPS, 3 * 8).to(DType.FLOAT32), 2, keep, 1e-5);
        }

        @Test
        void theTransformersShapeAgreesWithTheComposedValuesToFloatPrecisionInFloat32() {
            // float32's per-head products are the fused op's own (HeadProducts: a fused multiply-add chain per
            // element), the composition's are BLAS's: the same products, rounded in another order.
            Tensor qkv = randn(3, 2, 7, 3 * 64).to(DType.FLOAT32);
            Tensor keep = Masks.attention(Masks.padding(new int[] {7, 4}, 7, DType.FLOAT32), true);
            assertSameAsComposed(qkv, 4, keep, 1e-5);
        }

        @Test
        void theTransformersShapeGivesTheComposedValuesToTheBitInFloat64() {
            // The score loop skips the exponentials of the masked keys after a row's last kept one (causal, padding)
            // and takes the row maximum with Math.max: neither may change a bit. Lengths 7, 4 and 1 give rows with
            // nothing skipped, rows with most keys skipped, and a sequence whose padded queries have no key at all.
            Tensor qkv = randn(3, 3, 7, 3 * 64).mul(3.0);
            Tensor keep = Masks.attention(Masks.padding(new int[] {7, 4, 1}, 7, DType.FLOAT64), true);
            assertArrayEquals(Attention.composed(qkv, 4, keep).toDoubleArray(),
                    Attention.selfAttention(qkv, 4, keep).toDoubleArray());
            Tensor qkv32 = qkv.to(DType.FLOAT32);
            assertValues(Attention.composed(qkv32, 4, keep.to(DType.FLOAT32)),
                    Attention.selfAttention(qkv32, 4, keep.to(DType.FLOAT32)), 1e-5);
        }

        @Test
        void oneHeadAndOneStepAreTheComposedOnes() {
            assertSameAsComposed(randn(4, 2, 1, 3 * 3), 1, null, 1e-14);
            assertSameAsComposed(randn(5, 1, 4, 3 * 6), 1, Masks.causal(4, DType.FLOAT64), 1e-13);
            assertSameAsComposed(randn(6, 1, 4, 3 * 6), 6, Masks.causal(4, DType.FLOAT64), 1e-13);
        }

        @Test
        void aMaskOfTheOtherDtypeIsReadAsTheSameMask() {
            Tensor qkv = randn(7, BATCH, STEPS, 3 * 4);
            assertArrayEquals(Attention.selfAttention(qkv, 2, causalPadded(DType.FLOAT64)).toDoubleArray(),
                    Attention.selfAttention(qkv, 2, causalPadded(DType.FLOAT32)).toDoubleArray());
        }
    }

    @Nested
    class Gradients {
        @Test
        void matchFiniteDifferencesWithCausalAndPaddingMasks() {
            Tensor keep = causalPadded(DType.FLOAT64);
            assertGradients(in -> Attention.selfAttention(in.get(0), 2, keep), randn(10, BATCH, STEPS, 3 * 4));
        }

        @Test
        void gradientsOfGradientsMatchFiniteDifferences() {
            Tensor keep = Masks.attention(Masks.padding(new int[] {3, 2}, 3, DType.FLOAT64), true);
            assertSecondOrderGradients(in -> Attention.selfAttention(in.get(0), 2, keep), randn(11, 2, 3, 3 * 4));
        }

        @Test
        void aMaskedKeyGetsNoGradientFromTheScores() {
            // Sequence 1 is 2 long and its padded outputs are not read: its steps 2 and 3 get no gradient at all
            // (their keys are masked for every query, their values weighted 0, their queries' outputs unread).
            Tensor qkv = randn(12, 2, 4, 3 * 4).requiresGrad(true);
            Tensor keep = Masks.attention(Masks.padding(new int[] {4, 2}, 4, DType.FLOAT64), false);
            Tensor out = Attention.selfAttention(qkv, 2, keep);
            Tensor readValid = Tensor.of(new double[] {1, 1, 1, 1, 1, 1, 0, 0}, 2, 4, 1);
            out.mul(readValid).sum().backward();
            double[] g = qkv.grad().toDoubleArray();
            for (int step = 2; step < 4; step++) {
                for (int j = 0; j < 12; j++) {
                    assertEquals(0.0, g[(4 + step) * 12 + j], "step " + step + " feature " + j);
                }
            }
        }

        @Test
        void theSequencesOfABatchDoNotMix() {
            Tensor qkv = randn(13, BATCH, STEPS, 3 * 4).requiresGrad(true);
            Tensor out = Attention.selfAttention(qkv, 2, null);
            out.narrow(0, 1, 1).sum().backward();
            double[] g = qkv.grad().toDoubleArray();
            int perSequence = STEPS * 3 * 4;
            for (int i = 0; i < g.length; i++) {
                if (i < perSequence || i >= 2 * perSequence) {
                    assertEquals(0.0, g[i], "element " + i + " outside sequence 1");
                }
            }
        }
    }

    @Nested
    class Refusals {
        @Test
        void aProjectionThatIsNotThreeBlocksOfHeadsIsRefused() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> Attention.selfAttention(randn(14, 2, 3, 10), 2, null));
            assertTrue(e.getMessage().startsWith("attention: expected the packed projection (batch, steps, 3·width)"),
                    e.getMessage());
            assertThrows(ShapeException.class, () -> Attention.selfAttention(randn(15, 2, 3, 12), 3, null));
            assertThrows(ShapeException.class, () -> Attention.selfAttention(randn(16, 6, 12), 2, null));
        }

        @Test
        void aMaskThatDoesNotBroadcastNamesTheScoresShape() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> Attention.selfAttention(randn(17, 2, 3, 12), 2, Masks.causal(4, DType.FLOAT64)));
            assertTrue(e.getMessage().contains("(2, 2, 3, 3)") && e.getMessage().contains("(4, 4)"), e.getMessage());
        }
    }

    @Test
    void theMaskSharedByEveryHeadIsReadOnceForAll() {
        // A (B, 1, T, T) mask and the same mask repeated per head give the same context.
        Tensor qkv = randn(18, BATCH, STEPS, 3 * 4);
        Tensor shared = causalPadded(DType.FLOAT64);
        Tensor repeated = shared.expand(Shape.of(BATCH, 2, STEPS, STEPS));
        assertArrayEquals(Attention.selfAttention(qkv, 2, shared).toDoubleArray(),
                Attention.selfAttention(qkv, 2, repeated).toDoubleArray());
    }
}
