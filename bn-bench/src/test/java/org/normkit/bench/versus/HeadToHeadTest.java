package org.normkit.bench.versus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.bench.BenchKind;
import org.normkit.bench.BenchMask;
import org.normkit.bench.BenchPass;
import org.normkit.bench.BenchPlan;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.bench.BenchResult.PeerComparison;
import org.normkit.bench.MachineInfo;

class HeadToHeadTest {
    private static final Case CASE = new Case("layer_norm", Shape.of(4, 8), DType.FLOAT32, BenchPass.TRAIN_FORWARD);

    /** A side whose samples come from scripts: call ms and copy ms per sample, and the order it was asked in. */
    private static final class Scripted implements Contender {
        final String name;
        final double[] calls;
        final double copy1;
        final double copyN;
        final List<String> log;
        int call;

        Scripted(String name, List<String> log, double copy1, double copyN, double... calls) {
            this.name = name;
            this.log = log;
            this.calls = calls;
            this.copy1 = copy1;
            this.copyN = copyN;
        }

        @Override
        public double callMs(int threads, double minMs) {
            log.add(name);
            return calls[Math.min(call++, calls.length - 1)];
        }

        @Override
        public double copyMs(int threads, double minMs) {
            return threads == 1 ? copy1 : copyN;
        }
    }

    private static Peer peer(String name, Contender contender) {
        return peer(name, contender, false);
    }

    /** A peer whose every case is {@code contender}; with {@code masks}, one that has masked calls too. */
    private static Peer peer(String name, Contender contender, boolean masks) {
        return new Peer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String describe() {
                return name + " for tests";
            }

            @Override
            public boolean takesMasks() {
                return masks;
            }

            @Override
            public Contender prepare(Case c) {
                return contender;
            }
        };
    }

    private static final MachineInfo MACHINE = new MachineInfo("Test CPU", 2, "Java 17", "", "2026-12-02T18:00:00Z",
            null);

    private static BenchReport run(int threads, Contender ours, Peer... peers) {
        return run(CASE, threads, ours, peers);
    }

    private static BenchReport run(Case c, int threads, Contender ours, Peer... peers) {
        HeadToHead h2h = new HeadToHead(new HeadToHead.Settings(3, 1, 1, 0, 0, 0), x -> ours, List.of(peers),
                new PrintWriter(new StringWriter()));
        return h2h.run(List.of(c), List.of(threads), MACHINE);
    }

    private static PeerComparison comparison(BenchReport r) {
        return r.results().get(0).comparison();
    }

    /**
     * A side on a simulated clock: each call takes {@code slowMs} until the clock passes {@code fastFromMs} (the JIT's
     * recompilation finishing), then {@code fastMs}, and advances the clock by what it took (copies by 1 ms).
     */
    private static final class OnClock implements Contender {
        final long[] clock;
        final double slowMs;
        final double fastMs;
        final double fastFromMs;

        OnClock(long[] clock, double slowMs, double fastMs, double fastFromMs) {
            this.clock = clock;
            this.slowMs = slowMs;
            this.fastMs = fastMs;
            this.fastFromMs = fastFromMs;
        }

        @Override
        public double callMs(int threads, double minMs) {
            double ms = clock[0] / 1e6 < fastFromMs ? slowMs : fastMs;
            clock[0] += (long) (ms * 1e6);
            return ms;
        }

        @Override
        public double copyMs(int threads, double minMs) {
            clock[0] += 1_000_000;
            return 1;
        }
    }

    private static BenchReport onClock(long[] clock, Contender ours, double warmupMs, double sessionWarmupMs,
            Integer... threads) {
        return onClock(clock, ours, warmupMs, sessionWarmupMs, () -> true, threads);
    }

    private static BenchReport onClock(long[] clock, Contender ours, double warmupMs, double sessionWarmupMs,
            BooleanSupplier vectorLoopsReady, Integer... threads) {
        HeadToHead h2h = new HeadToHead(new HeadToHead.Settings(3, 1, 1, 1, warmupMs, sessionWarmupMs), x -> ours,
                List.of(), new PrintWriter(new StringWriter()), () -> clock[0], vectorLoopsReady);
        return h2h.run(List.of(CASE), List.of(threads), MACHINE);
    }

    @Nested
    class WarmUp {
        @Test
        void noRoundIsRecordedBeforeTheCasesSessionWarmUpHasRunItsCourse() {
            // The call turns 5 x faster at 350 ms (the JIT's recompile), past the 100 ms warm-up of one thread count
            // but within the case's 400 ms session warm-up, which runs first.
            long[] clock = {0};
            BenchReport r = onClock(clock, new OnClock(clock, 5, 1, 350), 100, 400, 1, 2);
            assertEquals(List.of(1.0, 1.0, 1.0), r.results().get(0).comparison().perRound().get(PeerComparison.NORMKIT));
            assertTrue(clock[0] / 1e6 >= 400 + 100 + 100, "ran to " + clock[0] / 1e6 + " ms");
        }

        @Test
        void theSessionWarmUpGoesOnUntilNormkitsVectorLoopsRunCompiled() {
            // The vector loops are ready from 1000 ms on the clock, when the call turns fast; the fixed warm-up is
            // 400 ms, and the per-thread-count warm-up 100 ms would not reach it either.
            long[] clock = {0};
            BenchReport r = onClock(clock, new OnClock(clock, 5, 1, 1000), 100, 400, () -> clock[0] >= 1_000_000_000L,
                    1);
            assertEquals(List.of(1.0, 1.0, 1.0), r.results().get(0).comparison().perRound().get(PeerComparison.NORMKIT));
        }

        @Test
        void withoutTheSessionWarmUpTheRoundsSeeTheSlowCalls() {
            long[] clock = {0};
            BenchReport r = onClock(clock, new OnClock(clock, 5, 1, 350), 100, 0, 1);
            assertEquals(List.of(5.0, 5.0, 5.0), r.results().get(0).comparison().perRound().get(PeerComparison.NORMKIT));
        }
    }

    @Nested
    class Alternation {
        @Test
        void theSideOrderRunsBackwardsEveryOtherRoundAndTurnsEveryTwo() {
            List<String> sides = List.of("a", "b", "c");
            assertEquals(List.of("a", "b", "c"), HeadToHead.turned(sides, 0));
            assertEquals(List.of("c", "b", "a"), HeadToHead.turned(sides, 1));
            assertEquals(List.of("b", "c", "a"), HeadToHead.turned(sides, 2));
            assertEquals(List.of("a", "c", "b"), HeadToHead.turned(sides, 3));
        }

        @Test
        void noSideIsAlwaysSampledFirst() {
            List<String> log = new ArrayList<>();
            run(1, new Scripted("normkit", log, 1, 1, 2), peer("p", new Scripted("p", log, 1, 1, 2)));
            // Round 0: normkit, p; round 1 (reversed): p, normkit; round 2 (turned): p, normkit.
            assertEquals(List.of("normkit", "p", "p", "normkit", "p", "normkit"), log);
        }
    }

    @Nested
    class Figures {
        @Test
        void theHeadlineIsTheMedianOfThePerRoundRatiosOfMilliseconds() {
            List<String> log = new ArrayList<>();
            // Rounds: 2/4, 3/3, 9/6 -> ratios 0.5, 1.0, 1.5: median 1.0 (the ratio of the medians would be 3/4).
            BenchReport r = run(1, new Scripted("normkit", log, 1, 1, 2, 3, 9),
                    peer("p", new Scripted("p", log, 1, 1, 4, 3, 6)));
            BenchResult row = r.results().get(0);
            assertEquals(1.0, row.comparison().normkitOver().get("p"), 1e-12);
            assertEquals(3.0, row.ms(), 1e-12);
            assertEquals(4.0, row.comparison().peerMs().get("p"), 1e-12);
        }

        @Test
        void theFloorIsTheFastestCopyOfAnySide() {
            List<String> log = new ArrayList<>();
            BenchReport r = run(1, new Scripted("normkit", log, 2.0, 2.0, 4),
                    peer("p", new Scripted("p", log, 0.5, 0.5, 4)));
            PeerComparison row = comparison(r);
            assertEquals(0.5, row.floorMs(), 1e-12);
            assertEquals(8.0, row.timesFloor(), 1e-12);
            assertEquals("p copy ×1", row.floorBy());
        }

        @Test
        void addingThreadsNeverMakesTheFloorSlower() {
            List<String> log = new ArrayList<>();
            // Our 2-thread copy is slower than our 1-thread copy: the floor of the 2-thread row keeps the faster one.
            BenchReport r = run(2, new Scripted("normkit", log, 1.0, 3.0, 4),
                    peer("p", new Scripted("p", log, 2.0, 1.5, 4)));
            PeerComparison row = comparison(r);
            assertEquals(1.0, row.floorMs(), 1e-12);
            assertEquals("normkit copy ×1", row.floorBy());
        }
    }

    @Nested
    class Report {
        @Test
        void aReportSurvivesJson(@TempDir Path dir) throws Exception {
            List<String> log = new ArrayList<>();
            BenchReport r = run(1, new Scripted("normkit", log, 1, 1, 2), peer("p", new Scripted("p", log, 1, 1,
                    4))).withCommit("abc123");
            Path file = dir.resolve("h2h.json");
            r.write(file);
            BenchReport back = BenchReport.read(file);
            assertEquals(r, back);
            assertTrue(Files.readString(file).contains("\"normkitOver\""));
        }

        @Test
        void theSummaryBoldsTheRowsWhereNormkitIsSlower() {
            List<String> log = new ArrayList<>();
            BenchReport r = run(1, new Scripted("normkit", log, 1, 1, 4), peer("p", new Scripted("p", log, 1, 1,
                    2)));
            String summary = VersusTable.summary(r);
            assertTrue(summary.contains("| layer_norm | 4x8 | train_forward | **2.00** |"), summary);
            assertEquals(2.0, VersusTable.geometricMean(r, "p"), 1e-12);
        }

        @Test
        void aPeerThatCannotRunACaseIsListedWithItsReason() {
            Peer refusing = new Peer() {
                @Override
                public String name() {
                    return "q";
                }

                @Override
                public String describe() {
                    return "refuses";
                }

                @Override
                public Contender prepare(Case c) {
                    throw new UnsupportedOperationException("q has no call for layer_norm");
                }
            };
            BenchReport r = run(1, new Scripted("normkit", new ArrayList<>(), 1, 1, 2), refusing);
            assertEquals(List.of(new BenchPlan.Skip(null, "layer_norm", "4x8", "float32", "train_forward", null, null, null,
                    "q has no call for layer_norm")), r.skipped());
            assertEquals("layer_norm 4x8 float32 train_forward", r.skipped().get(0).what());
            assertEquals(Map.of(), comparison(r).normkitOver());
        }
    }

    @Nested
    class MaskedCases {
        private final Case masked = new Case("group_norm", Shape.of(4, 8, 6), DType.FLOAT32, BenchPass.TRAIN_FORWARD,
                BenchMask.PADDED);

        @Test
        void aPeerWithoutAMaskedCallLeavesTheRowToNormkitAndTheReportSaysWhy() {
            List<String> log = new ArrayList<>();
            BenchReport r = run(masked, 1, new Scripted("normkit", log, 1, 1, 2), peer("p", new Scripted("p", log, 1,
                    1, 4)));

            BenchResult row = r.results().get(0);
            assertEquals("padded", row.mask());
            assertEquals(2.0, row.ms(), 1e-12);
            assertEquals(Map.of(), row.comparison().normkitOver());
            assertEquals(List.of("normkit", "normkit", "normkit"), log, "the peer is never sampled");
            BenchPlan.Skip skip = r.skipped().get(0);
            assertEquals("group_norm 4x8x6 float32 train_forward padded", skip.what());
            assertTrue(skip.reason().startsWith("p has no masked call (its group_norm takes no mask of valid "
                    + "positions)"), skip.reason());
        }

        @Test
        void aPeerWithAMaskedCallIsComparedOnIt() {
            List<String> log = new ArrayList<>();
            BenchReport r = run(masked, 1, new Scripted("normkit", log, 1, 1, 2), peer("p", new Scripted("p", log, 1,
                    1, 4), true));

            assertEquals(0.5, comparison(r).normkitOver().get("p"), 1e-12);
            assertEquals(List.of(), r.skipped());
        }

        @Test
        void theTablesNameTheMaskBesideThePass() {
            BenchReport r = run(masked, 1, new Scripted("normkit", new ArrayList<>(), 1, 1, 2), peer("p",
                    new Scripted("p", new ArrayList<>(), 1, 1, 4)));

            String table = VersusTable.markdown(r);

            assertTrue(table.contains("| group_norm | 4x8x6 | train_forward, padded | — |"), table);
            assertTrue(table.contains("- group_norm 4x8x6 float32 train_forward padded: p has no masked call"), table);
        }
    }

    /** The head-to-head report as written before it became a BenchReport (docs/results/bench/versus.json). */
    @Nested
    class EarlierFiles {
        private static final String MACHINE_LINE = "AMD EPYC, 2 cores; Java 17.0.15, --add-modules=jdk.incubator.vector "
                + "-Xms2g; load average (1, 5, 15 min) 1.58 1.88 6.15 at the start, 1.76 1.84 5.08 at the end";
        private static final String EARLIER = """
                {
                  "date" : "2026-12-02T16:38:49Z",
                  "commit" : "d0a59b31e364",
                  "machine" : "%s",
                  "settings" : "5 rounds",
                  "peers" : { "pytorch-2.10" : "PyTorch 2.10.0", "pytorch-1.13" : "PyTorch 1.13.0" },
                  "rows" : [ {
                    "norm" : "batch_norm2d", "shape" : "32x64x56x56", "dtype" : "float32", "pass" : "train_forward",
                    "threads" : 1,
                    "ms" : { "normkit" : 4.0, "pytorch-2.10" : 13.0, "pytorch-1.13" : "NaN" },
                    "normkitOver" : { "pytorch-2.10" : 0.3 },
                    "floorMs" : 1.4, "timesFloor" : 2.9, "floorBy" : "pytorch-1.13 copy ×1",
                    "perRound" : { "normkit" : [ 4.0 ], "pytorch-2.10" : [ 13.0 ] }
                  } ],
                  "skipped" : [ "layer_norm 8x64 float32 train_forward: pytorch-1.13 failed" ]
                }
                """.formatted(MACHINE_LINE);

        @Test
        void readAsTheOneReportAndRenderAsTheyDid(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("versus.json");
            Files.writeString(file, EARLIER);

            BenchReport r = BenchReport.read(file);

            assertEquals("Measured 2026-12-02T16:38:49Z at commit d0a59b31e364 on " + MACHINE_LINE + ".",
                    VersusTable.header(r).lines().findFirst().orElseThrow());
            BenchResult row = r.results().get(0);
            assertEquals(BenchKind.HEAD_TO_HEAD, row.kind());
            assertEquals(4.0, row.ms());
            assertEquals(List.of("pytorch-2.10", "pytorch-1.13"), List.copyOf(row.comparison().peerMs().keySet()));
            assertTrue(Double.isNaN(row.comparison().peerMs().get("pytorch-1.13")));
            assertEquals(List.of("pytorch-2.10", "pytorch-1.13"), List.copyOf(r.peers().keySet()));
            assertTrue(VersusTable.markdown(r).contains("\n- layer_norm 8x64 float32 train_forward: pytorch-1.13 "
                    + "failed\n"), VersusTable.markdown(r));
        }

        @Test
        void writtenAgainTheyKeepEveryFigure(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("versus.json");
            Files.writeString(file, EARLIER);
            BenchReport r = BenchReport.read(file);

            Path again = dir.resolve("again.json");
            r.write(again);

            assertEquals(VersusTable.markdown(r), VersusTable.markdown(BenchReport.read(again)));
        }
    }
}
