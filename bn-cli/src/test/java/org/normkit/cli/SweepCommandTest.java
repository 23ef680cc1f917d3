package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.experiments.report.ResultsCsv;
import org.normkit.experiments.report.SweptSetting;

class SweepCommandTest {
    @TempDir
    Path dir;

    @Nested
    class Vary {

        @Test
        void batchSizesAndLearningRatesParseInTheGivenOrder() {
            SweepCommand.Vary batch = SweepCommand.Vary.parse("batch-size=2,4, 128");
            SweepCommand.Vary lr = SweepCommand.Vary.parse("lr=1e-3,0.1");

            assertEquals(SweptSetting.BATCH_SIZE, batch.setting());
            assertEquals(List.of(2.0, 4.0, 128.0), batch.values());
            assertEquals(SweptSetting.LEARNING_RATE, lr.setting());
            assertEquals(List.of(0.001, 0.1), lr.values());
        }

        @Test
        void aSettingThatCannotBeVariedIsNamedWithTheOnesThatCan() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SweepCommand.Vary.parse("epochs=1,2"));
            assertEquals("--vary epochs is not a setting a sweep can vary: use batch-size or lr", e.getMessage());
        }

        @Test
        void aFractionalBatchSizeIsNamed() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SweepCommand.Vary.parse("batch-size=2,4.5"));
            assertEquals("--vary batch-size: '4.5' is not a batch size (a whole number >= 1)", e.getMessage());
        }

        @Test
        void aMissingEqualsSignShowsTheForm() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SweepCommand.Vary.parse("lr"));
            assertTrue(e.getMessage().contains("write it like batch-size=2,4,8"), e.getMessage());
        }
    }

    @Test
    void eachSettingHasItsOwnDefaultFolderAndAnExplicitOutWins() {
        SweepCommand sweep = (SweepCommand) new picocli.CommandLine(new NormkitCommand())
                .parseArgs("sweep", "--vary", "lr=0.1", "--out", "normkit-runs/experiment")
                .subcommand().commandSpec().userObject();

        assertEquals(Path.of("normkit-runs/experiment"), sweep.options.toConfig(Path.of("elsewhere")).out());
    }

    @Test
    void aBatchSizeSweepOnTinyDataWritesSweepMarkdownAndPlot() throws IOException {
        Path data = TinyIdx.write(Files.createDirectory(dir.resolve("data")), 128, 50);
        Path out = dir.resolve("sweep");

        TinyIdx.Result r = TinyIdx.run("sweep", "--vary", "batch-size=16,64", "--data", data.toString(), "--norms",
                "none,batch_norm", "--epochs", "1", "--seeds", "2", "--no-progress", "--out", out.toString());

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("== batch size 16") && r.out().contains("== batch size 64"), r.out());
        assertEquals(2 * 2 * 2 + 1, Files.readAllLines(out.resolve(ResultsCsv.FILE_NAME)).size());
        assertTrue(Files.size(out.resolve("sweep.md")) > 0);
        assertTrue(Files.size(out.resolve("sweep.png")) > 0);
        assertTrue(Files.readString(out.resolve("sweep.md")).contains("batch size"));
    }

    @Test
    void aSweepTakesTheSequenceOptionsAndScalesTheLearningRateWithTheBatch() throws IOException {
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, "a cat sat\n%\nthe dog ran\n%\na bird\n%\nfish swam\n%\n".repeat(3));
        Path out = dir.resolve("sequence-sweep");

        TinyIdx.Result r = TinyIdx.run("sweep", "--vary", "batch-size=4,8", "--net", "transformer", "--text",
                text.toString(), "--norms", "layer_norm,group_norm:groups=2", "--init", "xavier",
                "--lr-scaling", "linear", "--lr", "0.128", "--epochs", "1", "--seeds", "1", "--no-progress",
                "--out", out.toString());

        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve(ResultsCsv.FILE_NAME)).subList(1, 5);
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("transformer,group_norm:groups=2,4,0.004,")), rows.toString());
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("transformer,layer_norm,8,0.008,")), rows.toString());
        assertTrue(Files.readString(out.resolve("setup.txt")).contains("init"), r.out());
    }
}
