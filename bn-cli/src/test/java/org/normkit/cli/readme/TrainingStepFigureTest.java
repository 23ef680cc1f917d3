package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.bench.MachineInfo;

class TrainingStepFigureTest {

    private static BenchReport report() {
        MachineInfo machine = new MachineInfo("AMD EPYC", 2, "Java 17", "flags", "2026-12-03T18:10:00Z", null);
        return new BenchReport(machine, "warm-up 10 × 1000 ms", "hook", 128, List.of(
                BenchResult.training("mlp", "batch_norm", "fused", 1, 90_000, 1_000, 90_100, 128),
                BenchResult.training("mlp", "batch_norm", "reference", 1, 70_000, 2_000, 70_100, 128),
                BenchResult.training("mlp", "batch_norm", "fused", 2, 150_000, 1_000, 150_100, 128)),
                List.of(), Map.of());
    }

    private static Path write(Path root, BenchReport report) throws Exception {
        Path file = root.resolve(TrainingStepFigure.RESULTS);
        Files.createDirectories(file.getParent());
        report.write(file);
        return root;
    }

    @Test
    void showsBothFacesOfTheOneThreadRowsWithTheDateAndTheCommitOfTheRun(@TempDir Path root) throws Exception {
        String block = new TrainingStepFigure().render(write(root, report().withCommit("abc123def456")));

        assertTrue(block.contains("| mlp | batch_norm | 90,000 ± 1,000 | 70,000 ± 2,000 |"), block);
        assertTrue(!block.contains("150,000"), block);
        assertTrue(block.contains("measured 2026-12-03 at commit abc123def456."), block);
    }

    @Test
    void aFileWrittenBeforeRunsRecordedTheirCommitIsDatedOnly(@TempDir Path root) throws Exception {
        String block = new TrainingStepFigure().render(write(root, report()));

        assertTrue(block.endsWith("measured 2026-12-03.\n"), block);
    }
}
