package org.normkit.bench.versus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.bench.BenchPass;

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
            public Contender prepare(Case c) {
                return contender;
            }
        };
    }

    private static HeadToHeadReport run(int threads, Contender ours, Peer... peers) {
        HeadToHead h2h = new HeadToHead(new HeadToHead.Settings(3, 1, 1, 0, 0, 0), c -> ours, List.of(peers),
                new PrintWriter(new StringWriter()));
        return h2h.run(List.of(CASE), List.of(threads), "test machine");
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
            HeadToHeadReport r = run(1, new Scripted("normkit", log, 1, 1, 2, 3, 9),
                    peer("p", new Scripted("p", log, 1, 1, 4, 3, 6)));
            HeadToHeadReport.Row row = r.rows().get(0);
            assertEquals(1.0, row.normkitOver().get("p"), 1e-12);
            assertEquals(3.0, row.ms().get(HeadToHeadReport.NORMKIT), 1e-12);
            assertEquals(4.0, row.ms().get("p"), 1e-12);
        }

        @Test
        void theFloorIsTheFastestCopyOfAnySide() {
            List<String> log = new ArrayList<>();
            HeadToHeadReport r = run(1, new Scripted("normkit", log, 2.0, 2.0, 4),
                    peer("p", new Scripted("p", log, 0.5, 0.5, 4)));
            HeadToHeadReport.Row row = r.rows().get(0);
            assertEquals(0.5, row.floorMs(), 1e-12);
            assertEquals(8.0, row.timesFloor(), 1e-12);
            assertEquals("p copy ×1", row.floorBy());
        }

        @Test
        void addingThreadsNeverMakesTheFloorSlower() {
            List<String> log = new ArrayList<>();
            // Our 2-thread copy is slower than our 1-thread copy: the floor of the 2-thread row keeps the faster one.
            HeadToHeadReport r = run(2, new Scripted("normkit", log, 1.0, 3.0, 4),
                    peer("p", new Scripted("p", log, 2.0, 1.5, 4)));
            HeadToHeadReport.Row row = r.rows().get(0);
            assertEquals(1.0, row.floorMs(), 1e-12);
            assertEquals("normkit copy ×1", row.floorBy());
        }
    }

    @Nested
    class Report {
        @Test
        void aReportSurvivesJson(@TempDir Path dir) throws Exception {
            List<String> log = new ArrayList<>();
            HeadToHeadReport r = run(1, new Scripted("normkit", log, 1, 1, 2), peer("p", new Scripted("p", log, 1, 1,
                    4))).withCommit("abc123");
            Path file = dir.resolve("h2h.json");
            r.write(file);
            HeadToHeadReport back = HeadToHeadReport.read(file);
            assertEquals(r, back);
            assertTrue(Files.readString(file).contains("\"normkitOver\""));
        }

        @Test
        void theSummaryBoldsTheRowsWhereNormkitIsSlower() {
            List<String> log = new ArrayList<>();
            HeadToHeadReport r = run(1, new Scripted("normkit", log, 1, 1, 4), peer("p", new Scripted("p", log, 1, 1,
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
            HeadToHeadReport r = run(1, new Scripted("normkit", new ArrayList<>(), 1, 1, 2), refusing);
            assertEquals(List.of(CASE + ": q has no call for layer_norm"), r.skipped());
            assertEquals(Map.of(), r.rows().get(0).normkitOver());
        }
    }
}
