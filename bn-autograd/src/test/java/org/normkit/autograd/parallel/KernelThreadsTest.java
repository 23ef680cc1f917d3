package org.normkit.autograd.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KernelThreadsTest {
    private int before;

    @BeforeEach
    void remember() {
        before = KernelThreads.get();
    }

    @AfterEach
    void restore() {
        KernelThreads.set(before);
    }

    @Nested
    class Count {

        @Test
        void setChangesWhatGetReturns() {
            KernelThreads.set(3);

            assertEquals(3, KernelThreads.get());
        }

        @Test
        void fewerThanOneThreadIsRefusedNamingTheValue() {
            var error = assertThrows(IllegalArgumentException.class, () -> KernelThreads.set(0));

            assertTrue(error.getMessage().contains("KernelThreads.set(0)"), error.getMessage());
            assertEquals(before, KernelThreads.get());
        }
    }

    @Nested
    class Blocks {

        @Test
        void smallWorkStaysOnTheCaller() {
            KernelThreads.set(2);
            Set<Thread> threads = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachBlockEstimated(50, KernelThreads.HANDOFF_NANOS,
                    block -> threads.add(Thread.currentThread()));

            assertEquals(Set.of(Thread.currentThread()), threads);
        }

        @ParameterizedTest(name = "{0} threads, {1} blocks")
        @CsvSource({"1, 0", "1, 7", "2, 1", "2, 2", "2, 100", "3, 2", "4, 100"})
        void everyBlockRunsExactlyOnce(int threads, int blocks) {
            KernelThreads.set(threads);
            AtomicIntegerArray runs = new AtomicIntegerArray(blocks);

            KernelThreads.forEachBlock(blocks, runs::incrementAndGet);

            for (int b = 0; b < blocks; b++) {
                assertEquals(1, runs.get(b), "block " + b);
            }
        }

        @Test
        void withTwoThreadsTwoBlocksRunAtTheSameTime() {
            KernelThreads.set(2);
            // Each of the first two blocks waits for the other: only two threads at once get past the barrier.
            CyclicBarrier both = new CyclicBarrier(2);
            Set<String> names = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachBlock(2, block -> {
                names.add(Thread.currentThread().getName());
                try {
                    both.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the blocks did not run in parallel", e);
                }
            });

            assertEquals(2, names.size(), names.toString());
            assertTrue(names.stream().anyMatch(name -> name.startsWith("normkit-kernel-")), names.toString());
        }

        @Test
        void withOneThreadEveryBlockRunsOnTheCaller() {
            KernelThreads.set(1);
            Set<Thread> threads = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachBlock(50, block -> threads.add(Thread.currentThread()));

            assertEquals(Set.of(Thread.currentThread()), threads);
        }

        @Test
        void aKernelCalledFromAPoolThreadRunsItsBlocksInline() {
            KernelThreads.set(2);
            Set<String> nested = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachBlock(2, outer -> {
                String thread = Thread.currentThread().getName();
                KernelThreads.forEachBlock(4, inner -> {
                    if (thread.startsWith("normkit-kernel-")) {
                        nested.add(Thread.currentThread().getName() + (thread.equals(Thread.currentThread().getName())
                                ? "" : " moved"));
                    }
                });
            });

            nested.forEach(name -> assertTrue(!name.endsWith(" moved"), name));
        }

        @Test
        void anExceptionInABlockIsRethrownOnTheCaller() {
            KernelThreads.set(2);
            IllegalStateException thrown = new IllegalStateException("block 37");

            IllegalStateException caught = assertThrows(IllegalStateException.class,
                    () -> KernelThreads.forEachBlock(100, block -> {
                        if (block == 37) {
                            throw thrown;
                        }
                    }));

            assertSame(thrown, caught);
        }

        @Test
        void anErrorInABlockIsRethrownAsItself() {
            KernelThreads.set(2);

            AssertionError caught = assertThrows(AssertionError.class, () -> KernelThreads.forEachBlock(2, block -> {
                throw new AssertionError("block " + block);
            }));

            assertTrue(caught.getMessage().startsWith("block "), caught.getMessage());
        }

        @Test
        void changingTheCountBetweenCallsRebuildsThePool() {
            KernelThreads.set(2);
            KernelThreads.forEachBlock(10, block -> { });
            KernelThreads.set(3);
            CyclicBarrier three = new CyclicBarrier(3);
            Set<String> names = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachBlock(3, block -> {
                names.add(Thread.currentThread().getName());
                try {
                    three.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("three threads did not run at once", e);
                }
            });

            assertEquals(3, names.size(), names.toString());
        }
    }

    @Nested
    class Ranges {

        @AfterEach
        void restoreThreshold() {
            KernelThreads.shareEveryCall(false);
            KernelThreads.assumeHelpersPolling(null);
        }

        @ParameterizedTest(name = "{0} elements")
        @CsvSource({"0", "1", "32767", "32768", "32769", "100000"})
        void everyElementIsCoveredExactlyOnceInWholeBlocks(int length) {
            KernelThreads.set(3);
            KernelThreads.shareEveryCall(true);
            AtomicIntegerArray covered = new AtomicIntegerArray(length);
            Set<String> runs = ConcurrentHashMap.newKeySet();

            KernelThreads.forEachRangeEstimated(length, 1, (from, to) -> {
                runs.add(from + ".." + to);
                for (int i = from; i < to; i++) {
                    covered.incrementAndGet(i);
                }
            });

            for (int i = 0; i < length; i++) {
                assertEquals(1, covered.get(i), "element " + i);
            }
            runs.forEach(run -> assertTrue(Integer.parseInt(run.substring(0, run.indexOf('.')))
                    % KernelThreads.RANGE_BLOCK == 0, "a run starts off a block boundary: " + run));
        }

        @Test
        void aRangeWhoseEstimateIsBelowTheCrossoverIsOneRunOnTheCaller() {
            KernelThreads.set(2);
            Set<String> runs = ConcurrentHashMap.newKeySet();
            int length = 32 * KernelThreads.RANGE_BLOCK;
            // 32 blocks of 2 threads: shared from twice the hand-off on.
            double nanosPerElement = 2.0 * KernelThreads.HANDOFF_NANOS / length * 0.99;

            KernelThreads.forEachRangeEstimated(length, nanosPerElement, (from, to) -> runs.add(
                    Thread.currentThread().getName() + " " + from + ".." + to));

            assertEquals(Set.of(Thread.currentThread().getName() + " 0.." + length), runs);
        }

        @Test
        void aRangeWhoseEstimateReachesTheCrossoverIsSharedWithAPollingHelper() {
            KernelThreads.set(2);
            KernelThreads.assumeHelpersPolling(true);
            CyclicBarrier both = new CyclicBarrier(2);
            Set<String> names = ConcurrentHashMap.newKeySet();
            int length = 32 * KernelThreads.RANGE_BLOCK;

            KernelThreads.forEachRangeEstimated(length, 2.0 * KernelThreads.HANDOFF_NANOS / length, (from, to) -> {
                if (from < 2 * KernelThreads.RANGE_BLOCK) {
                    names.add(Thread.currentThread().getName());
                    try {
                        both.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException("the first two blocks did not run in parallel", e);
                    }
                }
            });

            assertTrue(names.stream().anyMatch(name -> name.startsWith("normkit-kernel-")), names.toString());
        }
    }
}
