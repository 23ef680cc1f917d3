package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingEpochsFigureTest {

    private static final String DOC = """
            {"batch": 128, "threads": 1, "epochs": 3, "rounds": 1, "trainImages": 60000,
             "summary": [{"net": "lenet", "norm": "batch_norm",
                          "normkit": {"firstEpoch": 6.0, "laterEpoch": 4.0},
                          "pytorch": {"firstEpoch": 5.0, "laterEpoch": 5.0}}],
             "runs": [{"loadAverage": [0.5, 1.25]}, {"loadAverage": [0.75, 2.0]}],
             "machine": {"commit": "abc1234", "date": "2026-12-02 14:00 UTC", "cores": 2, "torch": "1.13"}}
            """;

    private static Path write(Path root, String json) throws IOException {
        Path file = root.resolve(TrainingEpochsFigure.FILE);
        Files.createDirectories(file.getParent());
        Files.writeString(file, json);
        return root;
    }

    @Test
    void rendersEachSidesFirstAndLaterEpochAndTheirRatios(@TempDir Path root) throws IOException {
        String block = new TrainingEpochsFigure().render(write(root, DOC));

        assertTrue(block.contains("| lenet | batch_norm | 6.00 / 4.00 | 1.50× | 5.00 / 5.00 | 1.00× | 1.20× | 0.80× |"),
                block);
        assertTrue(block.contains("load average 0.5–2.0") && block.contains("at abc1234"), block);
    }

    @Test
    void showsTheWholeCommandsSecondsWhenBothSidesRecordedThem(@TempDir Path root) throws IOException {
        String block = new TrainingEpochsFigure().render(write(root, DOC
                .replace("\"laterEpoch\": 4.0}", "\"laterEpoch\": 4.0, \"commandSeconds\": 21.5}")
                .replace("\"laterEpoch\": 5.0}", "\"laterEpoch\": 5.0, \"commandSeconds\": 18.25}")));

        assertTrue(block.contains("| whole command, normkit / PyTorch, s |"), block);
        assertTrue(block.contains("| 1.20× | 0.80× | 21.50 / 18.25 |"), block);
        assertTrue(block.contains("\"whole command\": the process's wall seconds"), block);
    }

    @Test
    void leavesTheWholeCommandOutWhenOneSideLacksIt(@TempDir Path root) throws IOException {
        String block = new TrainingEpochsFigure().render(write(root, DOC
                .replace("\"laterEpoch\": 4.0}", "\"laterEpoch\": 4.0, \"commandSeconds\": 21.5}")));

        assertTrue(!block.contains("whole command"), block);
        assertTrue(block.contains("| 1.20× | 0.80× |\n"), block);
    }

    @Test
    void aMissingEpochTimeNamesTheFileTheConfigurationAndTheScript(@TempDir Path root) throws IOException {
        write(root, DOC.replace("\"laterEpoch\": 5.0", "\"other\": 5.0"));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new TrainingEpochsFigure().render(root));

        assertTrue(e.getMessage().startsWith(TrainingEpochsFigure.FILE + " has no pytorch laterEpoch for lenet "
                + "batch_norm: rerun scripts/pytorch/epoch_times.py"), e.getMessage());
    }
}
