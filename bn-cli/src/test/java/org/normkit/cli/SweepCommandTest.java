package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.normkit.experiments.report.Variation;

class SweepCommandTest {
    @TempDir
    Path dir;

    @Nested
    class Vary {

        @Test
        void batchSizesAndLearningRatesParseInTheGivenOrderInOneSpelling() {
            Variation batch = SweptSetting.parse("batch-size=2,4, 128,4.0");
            Variation lr = SweptSetting.parse("lr=1e-3,0.1");

            assertEquals(SweptSetting.BATCH_SIZE, batch.setting());
            assertEquals(List.of("2", "4", "128"), batch.values());
            assertEquals(SweptSetting.LEARNING_RATE, lr.setting());
            assertEquals(List.of("0.001", "0.1"), lr.values());
        }

        @Test
        void categoricalSettingsTakeTheirNamedValues() {
            Variation init = SweptSetting.parse("init=kaiming,default");
            Variation face = SweptSetting.parse("face=fused,reference");

            assertEquals(SweptSetting.INIT, init.setting());
            assertFalse(init.setting().isNumeric());
            assertEquals(List.of("kaiming", "default"), init.values());
            assertEquals(SweptSetting.FACE, face.setting());
        }

        @Test
        void anUnknownNameIsANormOptionNumericWhenEveryValueIsANumber() {
            Variation groups = SweptSetting.parse("groups=1,2,4");
            Variation masked = SweptSetting.parse("masked=true,false");

            assertEquals(java.util.Optional.of("groups"), groups.setting().optionKey());
            assertTrue(groups.setting().isNumeric());
            assertEquals(List.of("1", "2", "4"), groups.values());
            assertFalse(masked.setting().isNumeric());
            assertEquals(List.of("true", "false"), masked.setting().values());
        }

        @Test
        void aSettingThatCannotBeVariedIsNamedWithTheOnesThatCan() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SweptSetting.parse("epochs=1,2"));
            assertEquals("--vary epochs is not a setting a sweep can vary: use one of batch-size, lr, weight-decay, "
                    + "dropout, grad-penalty, init, lr-scaling, optimizer, net, face, or an option of the norms such "
                    + "as groups=1,2,4", e.getMessage());
        }

        @Test
        void aBadValueIsNamedWithWhatTheSettingTakes() {
            IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                    () -> SweptSetting.parse("batch-size=2,4.5"));
            IllegalArgumentException dropout = assertThrows(IllegalArgumentException.class,
                    () -> SweptSetting.parse("dropout=0,1"));
            IllegalArgumentException optimizer = assertThrows(IllegalArgumentException.class,
                    () -> SweptSetting.parse("optimizer=sgd,rmsprop"));
            IllegalArgumentException option = assertThrows(IllegalArgumentException.class,
                    () -> SweptSetting.parse("momentum=0.1:0.2"));

            assertEquals("--vary batch-size: '4.5' is not a batch size (a whole number >= 1)", batch.getMessage());
            assertEquals("--vary dropout: '1' is not a dropout probability (a number in [0, 1))", dropout.getMessage());
            assertEquals("--vary optimizer: 'rmsprop' is not an optimizer: use sgd, adam", optimizer.getMessage());
            assertTrue(option.getMessage().startsWith("--vary momentum: '0.1:0.2' cannot hold ':' or '='"),
                    option.getMessage());
        }

        @Test
        void aMissingEqualsSignShowsTheForm() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SweptSetting.parse("lr"));
            assertTrue(e.getMessage().contains("write it like init=default,xavier or batch-size=2,4,8"),
                    e.getMessage());
        }

        @Test
        void varyMayBeGivenTwiceForAGrid() {
            SweepCommand sweep = (SweepCommand) new picocli.CommandLine(new NormkitCommand())
                    .parseArgs("sweep", "--vary", "init=xavier,kaiming", "--vary", "lr=0.1,0.9")
                    .subcommand().commandSpec().userObject();

            assertEquals(List.of(SweptSetting.INIT, SweptSetting.LEARNING_RATE),
                    sweep.variations().stream().map(Variation::setting).toList());
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
    void anInitSweepOnTinyDataKeysTheInitInItsColumnAndDrawsBars() throws IOException {
        Path data = TinyIdx.write(Files.createDirectory(dir.resolve("init-data")), 128, 50);
        Path out = dir.resolve("init-sweep");

        TinyIdx.Result r = TinyIdx.run("sweep", "--vary", "init=default,kaiming", "--data", data.toString(),
                "--norms", "none,batch_norm", "--epochs", "1", "--seeds", "2", "--no-progress", "--out",
                out.toString());

        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out.resolve(ResultsCsv.FILE_NAME));
        assertTrue(lines.get(0).endsWith(",status,init,lr_scaling,face,grad_penalty,jit_seconds,gc_seconds"),
                lines.get(0));
        assertEquals(2 * 2 * 2, lines.stream().filter(l -> l.contains(",default,none,auto,0,")
                || l.contains(",kaiming,none,auto,0,")).count(), lines.toString());
        assertTrue(r.out().contains("== initialisation kaiming: 4 runs"), r.out());
        assertTrue(Files.readString(out.resolve("sweep.md")).contains("## Bars"));
        assertTrue(Files.size(out.resolve("sweep.png")) > 0);
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
