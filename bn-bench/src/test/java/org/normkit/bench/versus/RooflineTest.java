package org.normkit.bench.versus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.bench.BenchPass;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.bench.MachineInfo;

class RooflineTest {
    private static final MachineInfo MACHINE = new MachineInfo("Test CPU", 2, "Java 17", "", "2026-12-02T18:00:00Z",
            null);
    private static final Shape SHAPE = Shape.of(4, 8, 16, 16); // 8,192 elements, 32,768 bytes in float32

    /** A head-to-head row from per-round samples: normkit's call, one peer's, and the copies on 1 and t threads. */
    private static BenchResult row(String norm, BenchPass pass, int threads, double[] ours, double[] copy1,
                                   double[] copyT) {
        Map<String, List<Double>> perRound = new LinkedHashMap<>();
        perRound.put("normkit", list(ours));
        perRound.put("peer", list(ours));
        perRound.put("normkit copy ×1", list(copy1));
        if (threads > 1) {
            perRound.put("normkit copy ×" + threads, list(copyT));
        }
        return HeadToHead.summarize(new Case(norm, SHAPE, DType.FLOAT32, pass), threads,
                List.of("normkit", "peer"), perRound);
    }

    private static List<Double> list(double[] v) {
        return java.util.Arrays.stream(v).boxed().toList();
    }

    private static BenchReport report(BenchResult... rows) {
        return new BenchReport(MACHINE, "abc1234", "test", null, 0, Map.of("peer", "a peer"), List.of(rows),
                List.of(), Map.of());
    }

    @Test
    void batchNormTrainingForwardHasAFloorOfOneAndAHalfCopies() {
        BenchResult r = row("batch_norm2d", BenchPass.TRAIN_FORWARD, 1, new double[] {0.3, 0.3, 0.3},
                new double[] {0.1, 0.1, 0.1}, null);

        Roofline roof = Roofline.of(report(r)).get(0);

        assertEquals(3, roof.units());
        assertEquals(1.5, roof.floorTimesCopy(), 1e-12);
        assertEquals(3.0, roof.timesCopy(), 1e-12);
        assertEquals(2.0, roof.timesFloor(), 1e-12);
        // 3 passes of 32,768 bytes in 0.3 ms; the copy's 2 passes in 0.1 ms.
        assertEquals(3 * 32768 / 0.3e6, roof.gbPerSecond(), 1e-9);
        assertEquals(2 * 32768 / 0.1e6, roof.copyGbPerSecond(), 1e-9);
        assertTrue(Double.isNaN(roof.speedUp()) && Double.isNaN(roof.copySpeedUp()));
    }

    @Test
    void perSampleNormsForwardAndBackwardHaveAFloorOfTwoAndAHalfCopies() {
        BenchResult r = row("layer_norm", BenchPass.TRAIN_FORWARD_BACKWARD, 1, new double[] {1, 1, 1},
                new double[] {0.1, 0.1, 0.1}, null);

        assertEquals(2.5, Roofline.of(report(r)).get(0).floorTimesCopy(), 1e-12);
    }

    @Test
    void aTwoThreadRowSetsItsSpeedUpBesideTheCopysOwnInTheSameRounds() {
        BenchResult one = row("layer_norm", BenchPass.EVAL_FORWARD, 1, new double[] {2, 2, 2},
                new double[] {1, 1, 1}, null);
        // Copies: one thread 1.0, 1.2, 1.1 ms; two threads 0.8, 1.0, 1.0 ms: ratios 1.25, 1.2, 1.1, median 1.2.
        BenchResult two = row("layer_norm", BenchPass.EVAL_FORWARD, 2, new double[] {1.6, 1.6, 1.6},
                new double[] {1.0, 1.2, 1.1}, new double[] {0.8, 1.0, 1.0});

        List<Roofline> all = Roofline.of(report(one, two));

        assertEquals(2 / 1.6, all.get(1).speedUp(), 1e-12);
        assertEquals(1.2, all.get(1).copySpeedUp(), 1e-12);
        String md = Roofline.markdown(report(one, two));
        assertTrue(md.contains("| layer_norm | 4x8x16x16 | float32 | eval_forward | 2 | 0.0 | 2 | 1.60 | 1.0 | 1.60 |"),
                md);
        assertTrue(md.contains("| 1.25 × | 1.20 × |"), md);
    }
}
