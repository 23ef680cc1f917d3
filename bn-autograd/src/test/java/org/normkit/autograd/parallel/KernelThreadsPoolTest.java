package org.normkit.autograd.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The pool behind the kernels, seen from outside: where the serial threshold lies, how ranges are cut, which thread
 * a failure or an interrupt comes back from, and the pool's threads themselves (daemons, reused while the count
 * stays, shut down when it changes, running nested kernels inline).
 */
class KernelThreadsPoolTest {
    private static final int BLOCK = KernelThreads.RANGE_BLOCK;
    private int before;

    @BeforeEach
    void remember() {
        before = KernelThreads.get();
    }

    @AfterEach
    void restore() {
        KernelThreads.set(before);
        KernelThreads.shareEveryCall(false);
        KernelThreads.assumeHelpersPolling(null);
    }

    private static boolean onPoolThread() {
        return Thread.currentThread().getName().startsWith("normkit-kernel-");
    }

    /** Two blocks that wait for each other, so one runs on the caller and one on the pool's helper: the helper. */
    private static Thread helperOfATwoBlockCall() {
        CyclicBarrier both = new CyclicBarrier(2);
        AtomicReference<Thread> helper = new AtomicReference<>();
        KernelThreads.forEachBlock(2, block -> {
            if (onPoolThread()) {
                helper.set(Thread.currentThread());
            }
            await(both);
        });
        assertNotNull(helper.get(), "no block ran on the pool");
        return helper.get();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the blocks did not run at the same time", e);
        }
    }

    @Nested
    class RangeEstimates {
        @Test
        void aRangeOfThreeBlocksIsSharedFromThreeTimesTheHandoffInWholeBlocks() {
            // On 2 threads one thread runs 2 of the 3 blocks: the call saves a third of its time.
            KernelThreads.set(2);
            KernelThreads.assumeHelpersPolling(true);
            Set<String> runs = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachRangeEstimated(3 * BLOCK, 3.01 * KernelThreads.HANDOFF_NANOS / (3 * BLOCK),
                    (from, to) -> runs.add(from + ".." + to));

            assertEquals(Set.of("0.." + BLOCK, BLOCK + ".." + 2 * BLOCK, 2 * BLOCK + ".." + 3 * BLOCK), runs);
        }

        @Test
        void aRangeOfThreeBlocksJustBelowThreeTimesTheHandoffIsOneRun() {
            KernelThreads.set(2);
            Set<String> runs = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachRangeEstimated(3 * BLOCK, 2.99 * KernelThreads.HANDOFF_NANOS / (3 * BLOCK),
                    (from, to) -> runs.add(from + ".." + to));

            assertEquals(Set.of("0.." + 3 * BLOCK), runs);
        }

        @Test
        void aShortLastBlockCountsByItsElements() {
            // 6.125 blocks on 2 threads: home ranges of 3 and 3.125 blocks, so the call saves 3 / 6.125 of its
            // time, where counting blocks (4 of 7) would say 3 / 7.
            int length = 6 * BLOCK + BLOCK / 8;
            double savedShare = (length - (3 * BLOCK + BLOCK / 8)) / (double) length;
            double justPays = KernelThreads.HANDOFF_NANOS / savedShare / length;

            assertTrue(KernelThreads.rangeSharingPays(length, justPays * 1.01, 2));
            assertFalse(KernelThreads.rangeSharingPays(length, justPays * 0.99, 2));
            assertFalse(KernelThreads.sharingPays(length * justPays * 1.01, 7, 2));
        }

        @Test
        void aRangeOfOneBlockIsNeverShared() {
            KernelThreads.set(2);
            Set<String> runs = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachRangeEstimated(BLOCK, 1e6, (from, to) -> runs.add(from + ".." + to));

            assertEquals(Set.of("0.." + BLOCK), runs);
        }
    }

    @Nested
    class WhenSharingPays {
        private final long handoff = KernelThreads.HANDOFF_NANOS;

        @Test
        void manyBlocksAreSharedFromTwiceTheHandoffOn() {
            assertFalse(KernelThreads.sharingPays(2 * handoff - 1_000, 64, 2));
            assertTrue(KernelThreads.sharingPays(2 * handoff, 64, 2));
        }

        @Test
        void fewBlocksNeedMoreWorkBecauseTheBusiestThreadRunsMoreThanHalf() {
            // 3 blocks on 2 threads: one thread runs 2 of them, so the call saves a third of its time.
            assertFalse(KernelThreads.sharingPays(3 * handoff - 1_000, 3, 2));
            assertTrue(KernelThreads.sharingPays(3 * handoff, 3, 2));
            assertTrue(KernelThreads.sharingPays(3 * handoff - 1_000, 4, 2));
        }

        @Test
        void aParkedHelperIsWorthWakingOnlyForTwiceItsWakeUp() {
            long parked = KernelThreads.PARKED_HANDOFF_NANOS;
            assertFalse(KernelThreads.sharingPays(2 * parked - 1_000, 64, 2, parked));
            assertTrue(KernelThreads.sharingPays(2 * parked, 64, 2, parked));
            assertTrue(KernelThreads.sharingPays(2 * parked - 1_000, 64, 2, handoff));
            int length = 32 * BLOCK;
            assertFalse(KernelThreads.rangeSharingPays(length, 2.0 * parked / length * 0.99, 2, parked));
            assertTrue(KernelThreads.rangeSharingPays(length, 2.0 * parked / length * 1.01, 2, parked));
        }

        @Test
        void aCallThatPaysOnlyWithAPollingHelperStaysOnTheCallerWhenTheHelperIsParked() {
            KernelThreads.set(2);
            double serial = 2.0 * KernelThreads.PARKED_HANDOFF_NANOS * 0.99;
            Set<Thread> polling = ConcurrentHashMap.newKeySet();
            Set<Thread> parked = ConcurrentHashMap.newKeySet();
            CyclicBarrier both = new CyclicBarrier(2);

            KernelThreads.assumeHelpersPolling(true);
            KernelThreads.forEachBlockEstimated(64, serial, block -> {
                polling.add(Thread.currentThread());
                if (block == 0 || block == 32) {
                    await(both); // the caller's first block (its home range's front) meets the helper's
                }
            });
            KernelThreads.assumeHelpersPolling(false);
            KernelThreads.forEachBlockEstimated(64, serial, block -> parked.add(Thread.currentThread()));

            assertEquals(2, polling.size(), polling.toString());
            assertEquals(Set.of(Thread.currentThread()), parked);
        }

        @Test
        void aHelperIdleForLongerThanItPollsCountsAsParked() throws InterruptedException {
            KernelThreads.set(2);
            helperOfATwoBlockCall();
            // The helper polls for IDLE_SPIN_NANOS after its part, then parks: from then on, a call must be worth
            // its wake-up.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (KernelThreads.handoffNanos() != KernelThreads.PARKED_HANDOFF_NANOS && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }

            assertEquals(KernelThreads.PARKED_HANDOFF_NANOS, KernelThreads.handoffNanos());
            assertFalse(KernelThreads.helpersPolling(System.nanoTime()));
        }

        @Test
        void aHelperThatHasJustFinishedItsPartCountsAsPolling() {
            KernelThreads.set(2);
            long before = System.nanoTime();
            helperOfATwoBlockCall();

            // Its end was recorded before the call returned, at or after `before`: at that instant it was polling.
            assertTrue(KernelThreads.helpersPolling(before));
        }

        @Test
        void oneBlockOrOneThreadIsNeverShared() {
            assertFalse(KernelThreads.sharingPays(1e12, 1, 2));
            assertFalse(KernelThreads.sharingPays(1e12, 64, 1));
        }

        @Test
        void anEstimateBelowTheCrossoverRunsEveryBlockInOrderOnTheCaller() {
            KernelThreads.set(2);
            List<Integer> order = new ArrayList<>();

            KernelThreads.forEachBlockEstimated(5, handoff, order::add);

            assertEquals(List.of(0, 1, 2, 3, 4), order);
        }

        @Test
        void anEstimateAboveTheCrossoverIsSharedWithThePool() {
            KernelThreads.set(2);
            CyclicBarrier both = new CyclicBarrier(2);
            Set<String> names = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachBlockEstimated(2, 1e9, block -> {
                names.add(Thread.currentThread().getName());
                await(both);
            });

            assertEquals(2, names.size(), names.toString());
        }
    }

    @Nested
    class HomeRangesSplit {
        @Test
        void homeRangesAreContiguousAndDifferByAtMostOneBlock() {
            for (int workers = 1; workers <= 5; workers++) {
                for (int blocks = workers; blocks <= 40; blocks++) {
                    assertEquals(0, KernelThreads.HomeRanges.homeStart(0, workers, blocks));
                    assertEquals(blocks, KernelThreads.HomeRanges.homeStart(workers, workers, blocks));
                    for (int w = 0; w < workers; w++) {
                        int size = KernelThreads.HomeRanges.homeStart(w + 1, workers, blocks)
                                - KernelThreads.HomeRanges.homeStart(w, workers, blocks);
                        assertTrue(size == blocks / workers || size == blocks / workers + 1,
                                workers + " workers, " + blocks + " blocks: worker " + w + " owns " + size);
                    }
                }
            }
        }

        @Test
        void aWorkerAloneRunsItsHomeRangeForwardThenTheOthersFromTheirBacks() {
            List<Integer> order = new ArrayList<>();

            new KernelThreads.HomeRanges(8, 2).work(0, order::add);

            assertEquals(List.of(0, 1, 2, 3, 7, 6, 5, 4), order);
        }

        @Test
        void aHelperAloneStartsAtItsOwnHalf() {
            List<Integer> order = new ArrayList<>();

            new KernelThreads.HomeRanges(7, 2).work(1, order::add);

            assertEquals(List.of(3, 4, 5, 6, 2, 1, 0), order);
        }

        @Test
        void twoThreadsKeepingPaceEachRunTheirOwnContiguousHalf() {
            KernelThreads.set(2);
            KernelThreads.shareEveryCall(true);
            CyclicBarrier both = new CyclicBarrier(2);
            List<Integer> onCaller = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Integer> onHelper = java.util.Collections.synchronizedList(new ArrayList<>());

            // Every block waits for a block of the other thread, so the two threads advance in step.
            KernelThreads.forEachBlock(8, block -> {
                (onPoolThread() ? onHelper : onCaller).add(block);
                await(both);
            });

            assertEquals(List.of(0, 1, 2, 3), onCaller);
            assertEquals(List.of(4, 5, 6, 7), onHelper);
        }

        @Test
        void everyBlockRunsOnceWhenTheHelperIsLate() {
            KernelThreads.set(2);
            java.util.concurrent.atomic.AtomicIntegerArray runs = new java.util.concurrent.atomic.AtomicIntegerArray(64);

            for (int call = 0; call < 200; call++) {
                KernelThreads.forEachBlock(64, runs::incrementAndGet);
            }

            for (int b = 0; b < 64; b++) {
                assertEquals(200, runs.get(b), "block " + b);
            }
        }
    }

    @Nested
    class Failures {
        @Test
        void anExceptionOnAPoolThreadIsRethrownOnTheCaller() {
            KernelThreads.set(2);
            CyclicBarrier both = new CyclicBarrier(2);
            IllegalStateException thrown = new IllegalStateException("failed on the pool");

            IllegalStateException caught = assertThrows(IllegalStateException.class,
                    () -> KernelThreads.forEachBlock(2, block -> {
                        await(both);
                        if (onPoolThread()) {
                            throw thrown;
                        }
                    }));

            assertSame(thrown, caught);
        }

        @Test
        void aCallerInterruptedWhileWaitingForAHelperFailsAndStaysInterrupted() throws InterruptedException {
            KernelThreads.set(2);
            CountDownLatch helperStarted = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> KernelThreads.forEachBlock(2, block -> {
                            try {
                                if (onPoolThread()) {
                                    helperStarted.countDown();
                                    release.await(10, TimeUnit.SECONDS);
                                } else {
                                    assertTrue(helperStarted.await(10, TimeUnit.SECONDS), "the helper never started");
                                    Thread.currentThread().interrupt();
                                }
                            } catch (InterruptedException interrupted) {
                                throw new IllegalStateException("interrupted inside the block", interrupted);
                            }
                        }));
                assertEquals("a kernel block was interrupted", e.getMessage());
                assertInstanceOf(InterruptedException.class, e.getCause());
                assertTrue(Thread.interrupted(), "the caller's interrupt is kept");
            } finally {
                release.countDown();
            }
        }
    }

    @Nested
    class PoolThreads {
        @Test
        void helpersAreDaemonsReusedWhileTheCountStays() {
            KernelThreads.set(2);
            Thread first = helperOfATwoBlockCall();
            Thread second = helperOfATwoBlockCall();

            assertTrue(first.isDaemon(), "an idle pool must not keep the JVM alive");
            assertSame(first, second);
        }

        @Test
        void aNewCountShutsTheOldPoolDown() throws InterruptedException {
            KernelThreads.set(2);
            Thread old = helperOfATwoBlockCall();
            KernelThreads.set(3);

            KernelThreads.forEachBlock(4, block -> { });
            old.join(10_000);

            assertFalse(old.isAlive(), "the old pool's thread is still running");
        }

        @Test
        void aRangeStartedOnAPoolThreadRunsThereInOneRun() {
            KernelThreads.set(2);
            KernelThreads.shareEveryCall(true);
            CyclicBarrier both = new CyclicBarrier(2);
            Set<String> nestedRuns = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachBlock(2, block -> {
                await(both);
                if (onPoolThread()) {
                    KernelThreads.forEachRangeEstimated(3 * BLOCK, 1, (from, to) -> nestedRuns.add(from + ".." + to));
                }
            });

            assertEquals(Set.of("0.." + 3 * BLOCK), nestedRuns);
        }
    }
}
