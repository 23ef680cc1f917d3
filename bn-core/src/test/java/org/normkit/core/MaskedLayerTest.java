package org.normkit.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.batch.BatchNorm;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;
import org.normkit.core.kernel.Moments;
import org.normkit.core.kernel.NormKernel;

/**
 * A layer's masked faces ({@link NormLayer#forward(Tensor, PositionMask)}, the masked reference and fused faces), in
 * bn-core's own terms: a BatchNorm layer given a mask is the same layer run on the valid positions cut out, in both
 * faces, for the output, the gradients and the running statistics, with zeros at the padding. Then what a layer
 * refuses: a mask that does not fit, an all-padding batch under batch statistics, masks on norms whose statistics
 * cannot leave positions out.
 */
class MaskedLayerTest {
    private static final double TOLERANCE = 1e-10;
    // Two samples of 5 positions, the second padded after 3; 3 channels.
    private static final int N = 2;
    private static final int C = 3;
    private static final int L = 5;
    private static final int[] LENGTHS = {5, 3};
    private static final int VALID = 8;
    private static final Shape INPUT = Shape.of(N, C, L);
    private static final PositionMask MASK = PositionMask.ofLengths(LENGTHS, L);
    private static final NormSpec SPEC = NormSpec.of(C).withDtype(DType.FLOAT64);

    /** A batch_norm1d layer with random γ, β and running statistics (the same for every call), on {@code face}. */
    private static NormLayer layer(Face face) {
        NormLayer layer = new BatchNorm().create("batch_norm1d", SPEC);
        layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), 5));
        layer.setFace(face);
        return layer;
    }

    private static Tensor input() {
        return Tensor.randn(DType.FLOAT64, INPUT, 7).mul(2.0).add(0.5);
    }

    private static Tensor gradOutput() {
        return Tensor.randn(DType.FLOAT64, INPUT, 11);
    }

    /** The valid positions of t (N, C, L) as rows of C values: the (VALID, C) input of the unmasked layer. */
    private static Tensor validRows(Tensor t) {
        double[] rows = new double[VALID * C];
        int r = 0;
        for (int n = 0; n < N; n++) {
            for (int s = 0; s < LENGTHS[n]; s++, r++) {
                for (int c = 0; c < C; c++) {
                    rows[r * C + c] = t.at(n, c, s);
                }
            }
        }
        return Tensor.of(rows, VALID, C);
    }

    /** The inverse of {@link #validRows}: rows (VALID, C) put back at the valid positions, 0 at the padding. */
    private static double[] padded(Tensor rows) {
        double[] out = new double[INPUT.numel()];
        int r = 0;
        for (int n = 0; n < N; n++) {
            for (int s = 0; s < LENGTHS[n]; s++, r++) {
                for (int c = 0; c < C; c++) {
                    out[(n * C + c) * L + s] = rows.at(r, c);
                }
            }
        }
        return out;
    }

    private static void assertClose(double[] expected, Tensor actual, String what) {
        assertArrayEquals(expected, actual.toDoubleArray(), TOLERANCE, what);
    }

    private static void assertSameState(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, t) -> assertArrayEquals(t.toDoubleArray(), actual.get(name).toDoubleArray(),
                TOLERANCE, name));
    }

    @Nested
    class TheValidPositionsAlone {
        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void trainingOutputIsThePlainLayersOnTheValidPositionsAndZeroAtThePadding(Face face) {
            Tensor x = input();
            Tensor expected = layer(face).forward(validRows(x));
            assertClose(padded(expected), layer(face).forward(x, MASK), "y");
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void runningStatisticsAreUpdatedFromTheValidPositionsOnly(Face face) {
            Tensor x = input();
            NormLayer plain = layer(face);
            plain.forward(validRows(x));
            NormLayer masked = layer(face);
            masked.forward(x, MASK);
            assertSameState(plain.stateDict(), masked.stateDict());
            assertEquals(3.0, masked.stateDict().get("num_batches_tracked").item());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void gradientsAreThePlainLayersAndThePaddingGetsNone(Face face) {
            NormLayer plain = layer(face);
            Tensor rows = validRows(input()).requiresGrad(true);
            plain.forward(rows).backward(validRows(gradOutput()));

            NormLayer masked = layer(face);
            Tensor x = input().requiresGrad(true);
            masked.forward(x, MASK).backward(gradOutput());
            assertClose(padded(rows.grad()), x.grad(), "dx");
            assertClose(plain.weight().orElseThrow().grad().toDoubleArray(), masked.weight().orElseThrow().grad(),
                    "dγ");
            assertClose(plain.bias().orElseThrow().grad().toDoubleArray(), masked.bias().orElseThrow().grad(), "dβ");
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void inEvaluationTheRunningStatisticsNormaliseAndStayAsTheyAre(Face face) {
            NormLayer plain = layer(face);
            plain.eval();
            Tensor rows = validRows(input()).requiresGrad(true);
            Tensor expected = plain.forward(rows);
            expected.backward(validRows(gradOutput()));

            NormLayer masked = layer(face);
            masked.eval();
            Map<String, Tensor> before = layer(face).stateDict();
            Tensor x = input().requiresGrad(true);
            Tensor y = masked.forward(x, MASK);
            y.backward(gradOutput());
            assertClose(padded(expected), y, "y");
            assertClose(padded(rows.grad()), x.grad(), "dx");
            assertSameState(before, masked.stateDict());
        }

        @Test
        void anObserverHearsTheValidCountsAndTheValidPositionsMoments() {
            int[][] heard = new int[1][];
            Moments[] batch = new Moments[1];
            NormLayer masked = layer(Face.FUSED);
            masked.observeBatchStatistics((layer, moments, counts, running) -> {
                assertTrue(layer == masked);
                heard[0] = counts.clone();
                batch[0] = moments;
            });
            Tensor x = input();
            masked.forward(x, MASK);
            assertArrayEquals(new int[] {VALID, VALID, VALID}, heard[0]);
            Moments expected = NormKernel.moments(Layout.channels(VALID, C, 1), Centering.CENTERED, validRows(x));
            assertArrayEquals(expected.mean(), batch[0].mean(), TOLERANCE);
            assertArrayEquals(expected.variance(), batch[0].variance(), TOLERANCE);

            // Unmasked, every set counts all its N·L values.
            masked.forward(x);
            assertArrayEquals(new int[] {N * L, N * L, N * L}, heard[0]);

            masked.observeBatchStatistics(null);
            heard[0] = null;
            masked.forward(x, MASK);
            assertNull(heard[0]);
        }

        @Test
        void theReferenceFaceTakesTheMaskAndTheStatisticsGiven() {
            NormLayer layer = layer(Face.REFERENCE);
            Tensor x = input();
            Map<String, Tensor> before = layer(Face.REFERENCE).stateDict();
            assertClose(layer(Face.REFERENCE).forward(x, MASK).toDoubleArray(),
                    layer.reference(x, Statistics.batch(), MASK), "batch statistics");
            NormLayer evaluating = layer(Face.REFERENCE);
            evaluating.eval();
            assertClose(evaluating.forward(x, MASK).toDoubleArray(),
                    layer.reference(x, evaluating.statisticsInUse(), MASK), "running statistics");
            assertSameState(before, layer.stateDict());
        }

        @Test
        void theMaskedFusedFaceIsAKernelPairBoundToTheMask() {
            NormLayer layer = layer(Face.FUSED);
            FusedNorm fused = layer.fused(MASK).orElseThrow();
            Tensor x = input();
            Tensor gamma = layer.weight().orElseThrow().detach();
            Tensor out = Tensor.zeros(DType.FLOAT64, INPUT);
            FusedNorm.Saved saved = fused.forward(x, gamma, layer.bias().orElseThrow().detach(), Statistics.batch(),
                    out);
            assertClose(layer(Face.REFERENCE).reference(x, Statistics.batch(), MASK).toDoubleArray(), out, "y");
            FusedNorm.Gradients grads = fused.backward(gradOutput(), x, saved, gamma, FusedNorm.GradMask.all());

            NormLayer reference = layer(Face.REFERENCE);
            Tensor input = x.detach().copy().requiresGrad(true);
            reference.forward(input, MASK).backward(gradOutput());
            assertClose(input.grad().toDoubleArray(), grads.input(), "dx");
            assertClose(reference.weight().orElseThrow().grad().toDoubleArray(), grads.weight(), "dγ");
            assertClose(reference.bias().orElseThrow().grad().toDoubleArray(), grads.bias(), "dβ");

            Tensor fourChannels = Tensor.randn(DType.FLOAT64, Shape.of(N, 4, L), 3);
            ShapeException e = assertThrows(ShapeException.class, () -> fused.forward(fourChannels, null, null,
                    Statistics.batch(), Tensor.zeros(DType.FLOAT64, Shape.of(N, 4, L))));
            assertTrue(e.getMessage().startsWith("batch_norm1d: expected 3 channels"), e.getMessage());
        }
    }

    /** Second-order passes through a fused node differentiate the reference face (NormLayer#referenceGradients). */
    @Nested
    class SecondOrder {
        /** ∂/∂x of Σ (∂(Σ y·g)/∂x)² + Σ ∂(Σ y·g)/∂γ, through whichever face the layer runs. */
        private Tensor[] gradientsOfAGradientPenalty(Face face, boolean masked, boolean affineTrainable) {
            NormLayer layer = layer(face);
            layer.setAffineTrainable(affineTrainable);
            Tensor x = input().requiresGrad(true);
            Tensor y = masked ? layer.forward(x, MASK) : layer.forward(x);
            Tensor[] wrt = affineTrainable ? new Tensor[] {x, layer.weight().orElseThrow()} : new Tensor[] {x};
            Tensor[] first = Backprop.grad(new Tensor[] {y}, wrt, new Tensor[] {gradOutput()}, true, true, false);
            Tensor penalty = first[0].square().sum();
            if (affineTrainable) {
                penalty = penalty.add(first[1].sum());
            }
            Tensor[] second = Backprop.grad(penalty, new Tensor[] {x}, false);
            Tensor[] all = new Tensor[first.length + 1];
            System.arraycopy(first, 0, all, 0, first.length);
            all[first.length] = second[0];
            return all;
        }

        private void assertFusedEqualsReference(boolean masked, boolean affineTrainable) {
            Tensor[] fused = gradientsOfAGradientPenalty(Face.FUSED, masked, affineTrainable);
            Tensor[] reference = gradientsOfAGradientPenalty(Face.REFERENCE, masked, affineTrainable);
            assertEquals(reference.length, fused.length);
            for (int i = 0; i < fused.length; i++) {
                assertClose(reference[i].toDoubleArray(), fused[i], "gradient " + i);
            }
        }

        @Test
        void aGradientPenaltyThroughTheFusedFaceIsTheReferenceFaces() {
            assertFusedEqualsReference(false, true);
        }

        @Test
        void throughTheMaskedFusedFaceToo() {
            assertFusedEqualsReference(true, true);
        }

        @Test
        void withConstantAffineParametersOnlyTheInputsGradientIsDifferentiated() {
            assertFusedEqualsReference(false, false);
            assertFusedEqualsReference(true, false);
        }
    }

    @Nested
    class Refusals {
        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Face.class, names = {"REFERENCE", "FUSED"})
        void anAllPaddingBatchIsRefusedUnderBatchStatisticsAndGivesZerosUnderRunningOnes(Face face) {
            PositionMask nothing = PositionMask.ofLengths(new int[] {0, 0}, L);
            NormLayer training = layer(face);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> training.forward(input(), nothing));
            assertTrue(e.getMessage().startsWith("batch_norm1d: the mask PositionMask((2, 5), 0 valid) marks no "
                    + "position of the input (2, 3, 5) valid"), e.getMessage());

            NormLayer evaluating = layer(face);
            evaluating.eval();
            assertClose(new double[INPUT.numel()], evaluating.forward(input(), nothing), "y");
        }

        @Test
        void aMaskThatDoesNotFitIsRefusedByEveryMaskedFace() {
            PositionMask shorter = PositionMask.ofLengths(new int[] {4, 3}, L - 1);
            for (Face face : Face.BOTH) {
                NormLayer layer = layer(face);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> layer.forward(input(), shorter));
                assertTrue(e.getMessage().startsWith("batch_norm1d: a mask of positions (2, 4) does not fit the "
                        + "input (2, 3, 5)"), e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> layer(Face.REFERENCE).reference(input(), Statistics.batch(), shorter));
            assertTrue(e.getMessage().startsWith("batch_norm1d: a mask of positions (2, 4) does not fit"),
                    e.getMessage());
        }

        @Test
        void everyFaceChecksItsInputAsForwardDoes() {
            Tensor float32 = input().to(DType.FLOAT32);
            Tensor fourChannels = Tensor.randn(DType.FLOAT64, Shape.of(N, 4, L), 3);
            for (Face face : Face.BOTH) {
                IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                        () -> layer(face).forward(float32, MASK));
                assertTrue(dtype.getMessage().startsWith("batch_norm1d: the input is float32 but the layer is float64"),
                        dtype.getMessage());
                ShapeException channels = assertThrows(ShapeException.class,
                        () -> layer(face).forward(fourChannels, MASK));
                assertTrue(channels.getMessage().startsWith("batch_norm1d: expected 3 channels"),
                        channels.getMessage());
            }
            ShapeException channels = assertThrows(ShapeException.class,
                    () -> layer(Face.REFERENCE).reference(fourChannels, Statistics.batch(), MASK));
            assertTrue(channels.getMessage().startsWith("batch_norm1d: expected 3 channels"), channels.getMessage());
            ShapeException unmasked = assertThrows(ShapeException.class,
                    () -> layer(Face.REFERENCE).reference(fourChannels, Statistics.batch()));
            assertTrue(unmasked.getMessage().startsWith("batch_norm1d: expected 3 channels"), unmasked.getMessage());
        }
    }

    /** A centred channel-first norm that does not say it takes masks (Norm's default). */
    static final class Silent extends Norm {
        Silent() {
            super("silent_norm", "test double", ContractPreset.channelFirst(3));
        }

        @Override
        public Layout layout(NormLayer layer, Shape input) {
            return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            return x;
        }
    }

    /** Says it takes masks but does not centre: the masked faces (which centre) cannot serve it. */
    static final class Uncentered extends Norm {
        Uncentered() {
            super("uncentered_norm", "test double", ContractPreset.channelFirst(3));
        }

        @Override
        public boolean takesMask() {
            return true;
        }

        @Override
        public Centering centering() {
            return Centering.UNCENTERED;
        }

        @Override
        public Layout layout(NormLayer layer, Shape input) {
            return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            return x;
        }
    }

    /** Says it takes masks but normalises trailing dimensions: not per-channel γ, β on axis 1. */
    static final class Trailing extends Norm {
        Trailing() {
            super("trailing_norm", "test double", ContractPreset.trailing());
        }

        @Override
        public boolean takesMask() {
            return true;
        }

        @Override
        public Layout layout(NormLayer layer, Shape input) {
            return Layout.rows(input.numel() / input.dim(input.rank() - 1), input.dim(input.rank() - 1));
        }

        @Override
        public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
            return x;
        }
    }

    /** Which layers take masks: centred moments over a channel-first layout, and the norm saying so. */
    @Nested
    class WhoTakesMasks {
        @Test
        void batchNormTakesMasks() {
            NormLayer layer = layer(Face.AUTO);
            assertTrue(layer.takesMask());
            assertTrue(layer.fused(MASK).isPresent());
        }

        @Test
        void aNormThatDoesNotSaySoRefusesMasksInEveryFace() {
            assertRefusesMasks(new Silent().create(NormSpec.of(L).withDtype(DType.FLOAT64)), Shape.of(N, L, 4));
        }

        @Test
        void anUncenteredNormRefusesMasksEvenWhenItSaysItTakesThem() {
            assertRefusesMasks(new Uncentered().create(NormSpec.of(L).withDtype(DType.FLOAT64)), Shape.of(N, L, 4));
        }

        @Test
        void aTrailingNormRefusesMasksEvenWhenItSaysItTakesThem() {
            assertRefusesMasks(new Trailing().create(NormSpec.of(4).withDtype(DType.FLOAT64)), Shape.of(N, L, 4));
        }

        private void assertRefusesMasks(NormLayer layer, Shape input) {
            assertFalse(layer.takesMask());
            assertTrue(layer.fused(PositionMask.ofLengths(new int[] {4, 2}, 4)).isEmpty());
            Tensor x = Tensor.randn(DType.FLOAT64, input, 1);
            PositionMask mask = PositionMask.ofLengths(new int[] {4, 2}, 4);
            String start = layer.name() + " takes no mask of valid positions";
            UnsupportedOperationException forward = assertThrows(UnsupportedOperationException.class,
                    () -> layer.forward(x, mask));
            assertTrue(forward.getMessage().startsWith(start), forward.getMessage());
            UnsupportedOperationException reference = assertThrows(UnsupportedOperationException.class,
                    () -> layer.reference(x, Statistics.batch(), mask));
            assertTrue(reference.getMessage().startsWith(start), reference.getMessage());
        }
    }
}
