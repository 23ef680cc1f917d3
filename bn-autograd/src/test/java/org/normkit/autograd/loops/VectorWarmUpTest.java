package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.loops.VectorWarmUp.Gate;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The gates that hold the vector loops back until they are compiled: whichever loop runs, the bits are the same, so
 * when a gate opens cannot change a result; and a gate opens when, and only when, its vector work has become fast.
 */
class VectorWarmUpTest {

    /** Runs {@code op} with every autograd gate closed (scalar loops) and open (vector loops); returns both outputs. */
    private static List<float[]> closedThenOpen(Supplier<List<float[]>> op) {
        List<Boolean> before = new ArrayList<>();
        for (Gate gate : VectorGates.ALL) {
            before.add(gate.isOpen());
        }
        try {
            VectorGates.ALL.forEach(gate -> gate.force(false));
            List<float[]> scalar = op.get();
            VectorGates.ALL.forEach(gate -> gate.force(true));
            List<float[]> vector = op.get();
            List<float[]> both = new ArrayList<>(scalar);
            both.addAll(vector);
            return both;
        } finally {
            for (int i = 0; i < before.size(); i++) {
                VectorGates.ALL.get(i).release(before.get(i));
            }
        }
    }

    private static void assertSameBits(Supplier<List<float[]>> op) {
        List<float[]> both = closedThenOpen(op);
        int half = both.size() / 2;
        for (int k = 0; k < half; k++) {
            float[] scalar = both.get(k);
            float[] vector = both.get(half + k);
            int[] scalarBits = new int[scalar.length];
            int[] vectorBits = new int[vector.length];
            for (int i = 0; i < scalar.length; i++) {
                scalarBits[i] = Float.floatToRawIntBits(scalar[i]);
                vectorBits[i] = Float.floatToRawIntBits(vector[i]);
            }
            assertArrayEquals(scalarBits, vectorBits, "output " + k + ": vector loop against scalar loop");
        }
    }

    /** Values over exp's whole range and beyond, with the special ones: NaN, infinities, signed zeros, subnormals. */
    private static Tensor values(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE,
            -Float.MIN_VALUE, 88.72283f, 88.72284f, -86f, -86.00001f, 1e-30f, Float.MAX_VALUE, -Float.MAX_VALUE};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(8) == 0 ? special[random.nextInt(special.length)]
                    : (float) random.nextDouble(-95, 95);
        }
        return Tensor.of(v, n);
    }

    private static final int[] LENGTHS = {1, 7, 16, 17, 259, 4099};

    @Nested
    class TheBitsDoNotDependOnTheGate {
        @Test
        void exp() {
            for (int n : LENGTHS) {
                Tensor x = values(n, n);
                assertSameBits(() -> List.of(x.exp().floatData()));
            }
        }

        @Test
        void sigmoid() {
            for (int n : LENGTHS) {
                Tensor x = values(n, n + 1);
                assertSameBits(() -> List.of(x.sigmoid().floatData()));
            }
        }

        @Test
        void greaterOfTwoTensorsAndAgainstOneValueOnEitherSide() {
            for (int n : LENGTHS) {
                Tensor a = values(n, n + 2);
                Tensor b = values(n, n + 3);
                Tensor one = Tensor.of(new float[] {0.5f}, 1);
                assertSameBits(() -> List.of(a.gt(b).floatData(), a.gt(one).floatData(), one.gt(b).floatData()));
            }
        }

        @Test
        void aGradientAddedInPlaceHasTheBitsOfAFreshSum() {
            // The backward sweep's in-place sums (Elementwise.addInPlace) against the add into a fresh tensor.
            for (int n : LENGTHS) {
                Tensor a = values(n, n + 10);
                Tensor b = values(n, n + 11);
                assertSameBits(() -> {
                    Tensor sum = a.copy();
                    Elementwise.addInPlace(sum, b);
                    Tensor fresh = Elementwise.map(a, b, a.shape(), Elementwise.Op.ADD);
                    int[] inPlaceBits = new int[n];
                    int[] freshBits = new int[n];
                    for (int i = 0; i < n; i++) {
                        inPlaceBits[i] = Float.floatToRawIntBits(sum.floatData()[i]);
                        freshBits[i] = Float.floatToRawIntBits(fresh.floatData()[i]);
                    }
                    assertArrayEquals(freshBits, inPlaceBits, "in place against a fresh sum, " + n + " elements");
                    return List.of(sum.floatData());
                });
            }
        }

        @Test
        void biasAddedToRows() {
            // Widths below, at and past one vector, and a tail; special values in both the rows and the bias.
            for (int n : new int[] {1, 7, 16, 17, 64, 259}) {
                Tensor bias = values(n, n + 8);
                Tensor rows = values(5 * n, n + 9);
                assertSameBits(() -> {
                    Tensor out = rows.copy();
                    BiasLoops.addToRows(out, bias);
                    return List.of(out.floatData());
                });
            }
        }

        @Test
        void whereAndReluWithTheirGradients() {
            for (int n : LENGTHS) {
                Tensor c = values(n, n + 4);
                Tensor a = values(n, n + 5);
                Tensor b = values(n, n + 6);
                Tensor zero = Tensor.of(new float[] {0f}, 1);
                assertSameBits(() -> {
                    Tensor x = values(n, n + 7).requiresGrad(true);
                    Tensor y = x.relu();
                    y.backward(Tensor.ones(DType.FLOAT32, n));
                    return List.of(Tensor.where(c, a, b).floatData(), Tensor.where(c, a, zero).floatData(),
                            Tensor.where(c, zero, b).floatData(), y.floatData(), x.grad().floatData());
                });
            }
        }

        @Test
        void convolutionForwardAndGradients() {
            Tensor image = Tensor.randn(DType.FLOAT32, Shape.of(3, 2, 11, 13), 1);
            Tensor kernel = Tensor.randn(DType.FLOAT32, Shape.of(4, 2, 3, 3), 2);
            Tensor gradOutput = Tensor.randn(DType.FLOAT32, Shape.of(3, 4, 11, 13), 3);
            assertSameBits(() -> {
                Tensor x = image.detach().requiresGrad(true);
                Tensor w = kernel.detach().requiresGrad(true);
                Tensor y = x.conv2d(w, null, 1, 1);
                y.backward(gradOutput);
                return List.of(y.floatData(), x.grad().floatData(), w.grad().floatData());
            });
        }
    }

    /**
     * The gate's decision, pinned on a clock that moves only when the gate's work runs: each scalar or vector call
     * costs what the test sets, so no round depends on how busy the machine is.
     */
    @Nested
    class WhenAGateOpens {
        private static final long SCALAR = 20_000;
        private static final long SLOW = 2 * SCALAR + 1;
        private static final long FAST = SCALAR / 4;

        /** Rounds until the vector work has had its minimum calls; fast rounds count from this one on. */
        private static final int FIRST_ROUND_THAT_COUNTS =
                (VectorWarmUp.MIN_CALLS + VectorWarmUp.CALLS_PER_ROUND - 1) / VectorWarmUp.CALLS_PER_ROUND;

        /** The gate's clock, in nanoseconds, advanced by the cost of each call of the gate's work. */
        private final class WorkClock implements LongSupplier {
            long now = 0;
            long vectorCost = SLOW;

            @Override
            public long getAsLong() {
                return now;
            }

            /** A gate never requested, so no warm-up thread runs it: the test runs its rounds. */
            Gate gate() {
                return VectorWarmUp.gate("test", () -> now += vectorCost, () -> now += SCALAR, this);
            }
        }

        private final WorkClock clock = new WorkClock();
        private final Gate gate = clock.gate();

        /** Runs {@code rounds} rounds, asserting that none settles the gate. */
        private void closedAfter(int rounds, String phase) {
            for (int round = 1; round <= rounds; round++) {
                assertFalse(gate.round(), "round " + round + " of the " + phase + " rounds settled the gate");
                assertFalse(gate.isOpen(), "round " + round + " of the " + phase + " rounds opened the gate");
            }
        }

        @Test
        void notWhileTheVectorWorkIsSlowerThanTwiceTheScalarWork() {
            closedAfter(FIRST_ROUND_THAT_COUNTS + 100 * VectorWarmUp.PASSES_IN_A_ROW, "slow");
        }

        @Test
        void onTheThirdRoundInARowInWhichTheVectorWorkIsWithinTwiceTheScalarWork() {
            closedAfter(FIRST_ROUND_THAT_COUNTS + 10, "slow");
            clock.vectorCost = FAST;
            closedAfter(VectorWarmUp.PASSES_IN_A_ROW - 1, "fast");
            assertTrue(gate.round(), "the third fast round settles the gate");
            assertTrue(gate.isOpen(), "the third fast round opens the gate");
        }

        @Test
        void aSlowRoundStartsTheCountOfFastRoundsAgain() {
            closedAfter(FIRST_ROUND_THAT_COUNTS, "first slow");
            clock.vectorCost = FAST;
            closedAfter(VectorWarmUp.PASSES_IN_A_ROW - 1, "first fast");
            clock.vectorCost = SLOW;
            closedAfter(1, "second slow");
            clock.vectorCost = FAST;
            closedAfter(VectorWarmUp.PASSES_IN_A_ROW - 1, "second fast");
            assertTrue(gate.round(), "the third fast round after the slow one settles the gate");
            assertTrue(gate.isOpen(), "the third fast round after the slow one opens the gate");
        }

        @Test
        void fastRoundsBeforeTheVectorWorksMinimumCallsDoNotCount() {
            clock.vectorCost = FAST;
            closedAfter(FIRST_ROUND_THAT_COUNTS + VectorWarmUp.PASSES_IN_A_ROW - 2, "fast");
            assertTrue(gate.round(), "the third fast round past " + VectorWarmUp.MIN_CALLS + " calls settles the gate");
            assertTrue(gate.isOpen(), "the third fast round past " + VectorWarmUp.MIN_CALLS + " calls opens the gate");
        }

        @Test
        void vectorWorkOfExactlyTwiceTheScalarWorkCountsAsFast() {
            clock.vectorCost = 2 * SCALAR;
            closedAfter(FIRST_ROUND_THAT_COUNTS + VectorWarmUp.PASSES_IN_A_ROW - 2, "twice as long");
            assertTrue(gate.round(), "the third round at twice the scalar time settles the gate");
            assertTrue(gate.isOpen(), "the third round at twice the scalar time opens the gate");
        }

        @Test
        void givesUpAndStaysClosedWhenNoRoundPassesWithinItsTimeLimit() {
            long secondsPerRound = 64;
            clock.vectorCost = TimeUnit.SECONDS.toNanos(secondsPerRound) / VectorWarmUp.CALLS_PER_ROUND - SCALAR;
            closedAfter((int) (VectorWarmUp.GIVE_UP_SECONDS / secondsPerRound), "slow");
            assertTrue(gate.round(), "the first round past " + VectorWarmUp.GIVE_UP_SECONDS + " s settles the gate");
            assertFalse(gate.isOpen(), "a gate that gives up leaves the scalar loop running");
        }
    }

    @Nested
    class WithoutWarmUp {
        private final Gate gate = VectorWarmUp.gate("held", () -> { }, () -> { });

        @Test
        void aGateReachedOnlyInsideItStaysClosedAndStartsNoWarmUp() {
            boolean ready = VectorWarmUp.withoutWarmUp(() -> VectorWarmUp.withoutWarmUp(gate::vectorReady)
                    | gate.vectorReady());
            assertFalse(ready, "a closed gate said its vector loop was ready");
            assertFalse(gate.requested(), "a gate reached only inside withoutWarmUp was queued for warm-up");
        }

        @Test
        void theSameGateReachedAfterwardsStartsItsWarmUp() {
            VectorWarmUp.withoutWarmUp(gate::vectorReady);
            gate.vectorReady();
            assertTrue(gate.requested(), "a gate reached outside withoutWarmUp was not queued for warm-up");
        }

        @Test
        void aFailingCallLeavesTheThreadWarmingGatesAgain() {
            try {
                VectorWarmUp.withoutWarmUp(() -> {
                    throw new IllegalStateException("the work failed");
                });
            } catch (IllegalStateException expected) {
                // the work's own failure
            }
            gate.vectorReady();
            assertTrue(gate.requested(), "after a failed withoutWarmUp call this thread no longer starts warm-ups");
        }
    }

    @Nested
    class AutogradsOwnGates {
        @Test
        void autogradsVectorLoopsAreCompiledAndOpenWithinFourMinutesEvenOnABusyMachine() throws InterruptedException {
            VectorWarmUp.startAutograd();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (VectorGates.ALL.stream().anyMatch(gate -> !gate.isOpen()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            for (Gate gate : VectorGates.ALL) {
                assertTrue(gate.isOpen(), gate.name() + " is still closed after 240 s of warm-up");
            }
        }

        @Test
        void aRequestedGateKeepsTheWarmUpUnsettledUntilItOpens() throws InterruptedException {
            CountDownLatch release = new CountDownLatch(1);
            // The vector work waits for the test, then costs nothing; the scalar work spins for 20 µs.
            Gate held = VectorWarmUp.gate("held by the test", () -> awaitQuietly(release), () -> {
                long end = System.nanoTime() + 20_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            try {
                assertFalse(held.vectorReady(), "a new gate starts closed");
                assertFalse(VectorWarmUp.settled(), "a requested gate that has not opened leaves the warm-up unsettled");
            } finally {
                release.countDown();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (!VectorWarmUp.settled() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(held.isOpen(), "the released gate opened");
            assertTrue(VectorWarmUp.settled(), "every requested gate settled within 240 s");
        }

        private static void awaitQuietly(CountDownLatch latch) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
