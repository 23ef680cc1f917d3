package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.bench.BenchResult.PeerComparison;
import org.normkit.bench.MachineInfo;

class PerformanceTargetsFigureTest {

    private static final MachineInfo MACHINE = new MachineInfo("Test CPU", 2, "Java 17", "", "2026-12-02T18:00:00Z",
            null);

    private static final String EPOCHS = """
            {"batch": 128, "threads": 1, "epochs": 3, "rounds": 1, "trainImages": 60000,
             "summary": [{"net": "lenet", "norm": "batch_norm",
                          "normkit": {"firstEpoch": 6.0, "laterEpoch": 4.0,
                                      "jitSeconds": {"firstEpoch": 2.5, "laterEpoch": 1.0}},
                          "pytorch": {"firstEpoch": 5.0, "laterEpoch": 5.0}}],
             "runs": [], "machine": {"commit": "abc1234", "date": "2026-12-02 14:00 UTC", "cores": 2}}
            """;

    /**
     * A head-to-head row whose every round gives normkit {@code ms}, PyTorch 2.10 {@code ms ÷ ratio}, and copies of
     * {@code copy1} ms on one thread and {@code copyT} on the row's threads.
     */
    private static BenchResult row(String norm, String shape, String pass, int threads, double ms, double ratio,
                                   double copy1, double copyT) {
        Map<String, List<Double>> perRound = new LinkedHashMap<>();
        perRound.put("normkit", List.of(ms, ms, ms));
        perRound.put("pytorch-2.10", List.of(ms / ratio, ms / ratio, ms / ratio));
        perRound.put("normkit copy ×1", List.of(copy1, copy1, copy1));
        if (threads > 1) {
            perRound.put("normkit copy ×" + threads, List.of(copyT, copyT, copyT));
        }
        double floor = Math.min(copy1, copyT);
        return BenchResult.headToHead(norm, shape, "float32", pass, "none", threads, ms,
                new PeerComparison(Map.of("pytorch-2.10", ms / ratio), Map.of("pytorch-2.10", ratio), floor,
                        ms / floor, "normkit copy ×" + threads, perRound));
    }

    private static Path write(Path root, List<BenchResult> rows, String epochs) throws IOException {
        Path kernels = root.resolve(PerformanceTargetsFigure.KERNELS);
        Files.createDirectories(kernels.getParent());
        new BenchReport(MACHINE, "abc1234", "test", null, 0, Map.of("pytorch-2.10", "libtorch"), rows, List.of(),
                Map.of()).write(kernels);
        Path file = root.resolve(PerformanceTargetsFigure.EPOCHS);
        Files.createDirectories(file.getParent());
        Files.writeString(file, epochs);
        return root;
    }

    /** LayerNorm 32x128x768 float32 (12.6 MB) on one and two threads, each pass at {@code ratio} × PyTorch 2.10. */
    private static List<BenchResult> layerNorm(double ratio, double fwdBwdRatio) {
        List<BenchResult> rows = new ArrayList<>();
        rows.add(row("layer_norm", "32x128x768", "train_forward", 1, 1.0, ratio, 0.5, 0.5));
        rows.add(row("layer_norm", "32x128x768", "train_forward", 2, 0.8, ratio, 0.5, 0.4));
        rows.add(row("layer_norm", "32x128x768", "train_forward_backward", 1, 3.0, fwdBwdRatio, 0.5, 0.5));
        rows.add(row("layer_norm", "32x128x768", "train_forward_backward", 2, 2.0, fwdBwdRatio, 0.5, 0.4));
        return rows;
    }

    @Test
    void eachTargetIsJudgedFromTheFilesWithItsFloorAndTheCopysSpeedUp(@TempDir Path root) throws IOException {
        String block = new PerformanceTargetsFigure().render(write(root, layerNorm(0.5, 1.25), EPOCHS));

        assertTrue(block.contains("| every kernel row ÷ PyTorch 2.10 | 2 of 4 rows above 1; worst 1.25 (layer_norm "
                + "32x128x768 float32 train_forward_backward ×1) | ≤ 1.0 | not met | the worst row at 6.00 × the "
                + "fastest copy, floor 2.5 (5 tensor passes);"), block);
        // LayerNorm's forward at 2.00 and 2.00 × the fastest copy (1.0 / 0.5 and 0.8 / 0.4): floor 1.0.
        assertTrue(block.contains("| LayerNorm train forward 32x128x768, × fastest copy | float32 ×1 2.00, float32 ×2 "
                + "2.00 | ≤ 1.5 | not met (2 of 2) | floor 1.0 (2 tensor passes ÷ a copy's 2);"), block);
        // Two threads: 1.25 × and 1.50 × against the copy's 0.5 ÷ 0.4 = 1.25 ×.
        assertTrue(block.contains("| two threads on tensors ≥ 4 MB, speed-up over one thread | 1.25–1.50 × (0 of 2 "
                + "rows ≥ 1.7 ×) | ≥ 1.7 × | not met | the fastest copy gains 1.25 × from the second thread in "
                + "the same rounds (0 of 2 rows gain less than the copy)"), block);
        // Epoch 1: 6 s against 4 s later, 1.5 s more of JIT: 1.50 s of 2.00 s.
        assertTrue(block.contains("| epoch 1 ÷ a later epoch, normkit experiment | lenet + batch_norm 1.50 | ≤ 1.15 | "
                + "not met (1 of 1) | epoch 1's extra JIT compilation against its extra seconds: lenet + batch_norm "
                + "1.50 s of 2.00 s |"), block);
        assertTrue(block.contains("| later epochs ÷ PyTorch's (train_reference.py) | lenet + batch_norm 0.80 | ≤ 1.0 | "
                + "met |"), block);
    }

    @Test
    void rowsThatAllWinMeetTheRowTargets(@TempDir Path root) throws IOException {
        String block = new PerformanceTargetsFigure().render(write(root, layerNorm(0.5, 0.75), EPOCHS));

        assertTrue(block.contains("| every kernel row ÷ PyTorch 2.10 | 0 of 4 rows above 1; worst 0.75"), block);
        assertTrue(block.contains("| float32 ×1 0.61, float32 ×2 0.61 | ≤ 0.7 | met | — |"), block);
        assertTrue(block.contains("| 0 of 4 rows above 0.8; worst 0.75"), block);
    }

    @Test
    void anEpochFileWithoutJvmSecondsSaysSo(@TempDir Path root) throws IOException {
        String block = new PerformanceTargetsFigure().render(write(root, layerNorm(0.5, 0.75),
                EPOCHS.replace("\"jitSeconds\": {\"firstEpoch\": 2.5, \"laterEpoch\": 1.0}", "\"other\": 0")));

        assertTrue(block.contains("JIT seconds per epoch are not in this file"), block);
    }

    @Test
    void aKernelFileWithoutPytorch210RowsNamesTheCommand(@TempDir Path root) throws IOException {
        List<BenchResult> rows = List.of(BenchResult.headToHead("layer_norm", "32x128x768", "float32",
                "train_forward", "none", 1, 1.0, new PeerComparison(Map.of("pytorch-1.13", 2.0),
                        Map.of("pytorch-1.13", 0.5), 0.5, 2.0, "normkit copy ×1", Map.of("normkit", List.of(1.0)))));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new PerformanceTargetsFigure().render(write(root, rows, EPOCHS)));

        assertTrue(e.getMessage().contains("--peer pytorch-2.10"), e.getMessage());
    }
}
