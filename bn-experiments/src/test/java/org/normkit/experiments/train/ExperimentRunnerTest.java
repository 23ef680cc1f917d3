package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.spi.Face;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.SyntheticImages;
import org.normkit.experiments.report.ExperimentReport;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.ResultsCsv;
import org.normkit.experiments.report.SweepReport;
import org.normkit.experiments.report.SweptSetting;
import org.normkit.experiments.report.Variation;

class ExperimentRunnerTest {
    private static final List<String> NONE_AND_BATCH_NORM = List.of("none", "batch_norm");

    @TempDir
    Path dir;

    private static List<String> csvLines(Path out) throws IOException {
        return Files.readAllLines(out.resolve(ResultsCsv.FILE_NAME), StandardCharsets.UTF_8);
    }

    /** Every column but seconds and samples_per_second, which measure the machine, not the training. */
    private static List<String> withoutTiming(List<String> lines) {
        return lines.stream().map(line -> {
            String[] cells = line.split(",", -1);
            return String.join(",", Arrays.copyOfRange(cells, 0, 13)) + "," + cells[15];
        }).collect(Collectors.toList());
    }

    private static List<String> firstCells(List<String> lines, int cells) {
        return lines.stream().map(line -> String.join(",", Arrays.copyOf(line.split(",", -1), cells)))
                .collect(Collectors.toList());
    }

    private static List<ResultRow> rows(Path out) {
        return ResultsCsv.read(out.resolve(ResultsCsv.FILE_NAME), warning -> {
            throw new AssertionError(warning);
        });
    }

    private static ExperimentConfig withLr(ExperimentConfig c, String optimizer, double lr) {
        return new ExperimentConfig(c.net(), c.norms(), c.epochs(), c.batchSize(), OptionalDouble.of(lr),
                Optional.of(optimizer), 0, 0, c.seeds(), Optional.empty(), c.out(), 1, Face.AUTO,
                Optional.empty(), Optional.empty());
    }

    @Nested
    class Runs {

        @Test
        void everyNormAndSeedGetsOneRowPerEpochAndAReport() throws IOException {
            Path out = dir.resolve("run");
            String console = new TinyData.Console().experiment(TinyData.config(NONE_AND_BATCH_NORM, out));

            assertEquals(2 * 2 * 2, rows(out).size());
            assertTrue(rows(out).stream().noneMatch(ResultRow::isDiverged));
            for (String file : List.of(ExperimentReport.MARKDOWN_FILE, ExperimentReport.HTML_FILE,
                    ExperimentReport.ACCURACY_PLOT, ExperimentReport.LOSS_PLOT)) {
                assertTrue(Files.size(out.resolve(file)) > 0, file);
            }
            String[] lines = console.split("\n");
            assertEquals(8, Arrays.stream(lines).filter(l -> l.contains(" epoch ") && l.contains("test acc")).count(),
                    "one summary line per epoch:\n" + console);
            assertTrue(lines[lines.length - 1].startsWith("report: " + out.resolve("report.md").toAbsolutePath()),
                    console);
        }

        @Test
        void anUnknownNormFailsBeforeAnythingTrainsAndListsTheKnownOnes() {
            Path out = dir.resolve("unknown");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TinyData.Console().experiment(TinyData.config(List.of("none", "no_such_norm"), out)));

            assertTrue(e.getMessage().contains("unknown normalization 'no_such_norm'"), e.getMessage());
            assertTrue(e.getMessage().contains("batch_norm"), e.getMessage());
            assertFalse(Files.exists(out.resolve(ResultsCsv.FILE_NAME)));
        }
    }

    @Nested
    class Reproducibility {

        @Test
        void differentSeedsGiveDifferentNumbers() throws IOException {
            Path out = dir.resolve("seeds");
            new TinyData.Console().experiment(TinyData.config(List.of("batch_norm"), out));

            List<ResultRow> rows = rows(out);
            ResultRow seed0 = rows.stream().filter(r -> r.key().seed() == 0 && r.epoch() == 1).findFirst().orElseThrow();
            ResultRow seed1 = rows.stream().filter(r -> r.key().seed() == 1 && r.epoch() == 1).findFirst().orElseThrow();
            assertNotEquals(seed0.trainLoss(), seed1.trainLoss());
            assertNotEquals(seed0.testLoss(), seed1.testLoss());
        }

        /**
         * Timing columns aside, the CSV of two runs is identical: seeded init, shuffle and dropout, and float32 exp
         * that gives the same bits before and after the JIT compiles it (bn-autograd's FloatExp).
         */
        @Test
        void theSameSeedGivesTheSameNumbers() throws IOException {
            Path first = dir.resolve("first");
            Path second = dir.resolve("second");
            new TinyData.Console().experiment(TinyData.config(NONE_AND_BATCH_NORM, first));
            new TinyData.Console().experiment(TinyData.config(NONE_AND_BATCH_NORM, second));

            assertEquals(withoutTiming(csvLines(first)), withoutTiming(csvLines(second)));
        }

        @Test
        void theSameSeedGivesTheSameInitialWeightsAndBatchOrder() {
            for (String net : Nets.NAMES) {
                Module a = Nets.build(net, new NormSlot(TinyData.REGISTRY, "batch_norm"), 0.5, new SplittableRandom(7));
                Module b = Nets.build(net, new NormSlot(TinyData.REGISTRY, "batch_norm"), 0.5, new SplittableRandom(7));
                a.stateDict().forEach((name, t) ->
                        assertArrayEquals(t.toDoubleArray(), b.stateDict().get(name).toDoubleArray(), net + " " + name));
            }
            for (int epoch = 1; epoch <= 3; epoch++) {
                assertArrayEquals(Batches.of(256, 32, 7).order(epoch), Batches.of(256, 32, 7).order(epoch));
            }
        }
    }

    @Nested
    class Resume {

        @Test
        void aSecondRunWithTheSameOutTrainsNothingAndLeavesResultsUnchanged() throws IOException {
            Path out = dir.resolve("resume");
            ExperimentConfig config = TinyData.config(NONE_AND_BATCH_NORM, out);
            new TinyData.Console().experiment(config);
            byte[] before = Files.readAllBytes(out.resolve(ResultsCsv.FILE_NAME));

            String console = new TinyData.Console().experiment(config);

            assertFalse(console.contains("test acc"), console);
            assertEquals(4, console.lines().filter(l -> l.endsWith("already in results.csv, skipped")).count(), console);
            assertEquals(new String(before, StandardCharsets.UTF_8),
                    Files.readString(out.resolve(ResultsCsv.FILE_NAME), StandardCharsets.UTF_8));
        }

        @Test
        void aPartlyFinishedRunIsRedoneFromItsFirstEpochAndTheOthersAreSkipped() throws IOException {
            Path out = dir.resolve("partial");
            ExperimentConfig config = TinyData.config(NONE_AND_BATCH_NORM, out);
            new TinyData.Console().experiment(config);
            List<String> lines = csvLines(out);
            // As if killed after the first epoch of the last run (batch_norm, seed 1).
            Files.write(out.resolve(ResultsCsv.FILE_NAME), lines.subList(0, lines.size() - 1), StandardCharsets.UTF_8);

            String console = new TinyData.Console().experiment(config);

            assertEquals(3, console.lines().filter(l -> l.endsWith("skipped")).count(), console);
            assertEquals(List.of("mlp/batch_norm/b32/lr 0.001/seed 1 epoch 1/2", "mlp/batch_norm/b32/lr 0.001/seed 1 epoch 2/2"),
                    console.lines().filter(l -> l.contains("test acc")).map(l -> l.substring(0, l.indexOf(':')))
                            .collect(Collectors.toList()));
            assertEquals(firstCells(lines, 9), firstCells(csvLines(out), 9), "each run and epoch once, in order");
        }

        @Test
        void moreSeedsLaterTrainsOnlyTheNewSeedsAndTheReportCoversWhatWasAskedFor() throws IOException {
            Path out = dir.resolve("grow");
            ExperimentConfig two = TinyData.config(List.of("none"), out);
            new TinyData.Console().experiment(two);
            ExperimentConfig three = new ExperimentConfig("mlp", List.of("none"), 2, 32, OptionalDouble.empty(),
                    Optional.empty(), 0, 0, 3, Optional.empty(), out, 1, Face.AUTO, Optional.empty(),
                    Optional.empty());

            String console = new TinyData.Console().experiment(three);

            assertEquals(2, console.lines().filter(l -> l.endsWith("skipped")).count(), console);
            assertEquals(2, console.lines().filter(l -> l.contains("/seed 2 epoch")).count(), console);
            new TinyData.Console().experiment(TinyData.config(List.of("none"), out));
            String report = Files.readString(out.resolve(ExperimentReport.MARKDOWN_FILE));
            assertTrue(report.contains("| seeds | 2 (0, 1) |"), report);
        }

        @Test
        void aFolderHoldingResultsOfOtherDataIsRefusedNamingBothAndTheWayOut() {
            Path out = dir.resolve("other-data");
            new TinyData.Console().experiment(TinyData.config(List.of("none"), out));
            DatasetSplit other = SyntheticImages.generate(256, 100, 2);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TinyData.Console(other).experiment(TinyData.config(List.of("none"), out)));

            assertTrue(e.getMessage().contains("holds the results of another experiment"), e.getMessage());
            assertTrue(e.getMessage().contains("seed 1") && e.getMessage().contains("seed 2"), e.getMessage());
            assertTrue(e.getMessage().contains("Choose another --out"), e.getMessage());
        }

        @Test
        void aRerunWithAnotherLearningRateIsRefusedListingOnlyTheSettingsThatDiffer() {
            Path out = dir.resolve("other-lr");
            ExperimentConfig first = withLr(TinyData.config(List.of("none"), out), "adam", 0.001);
            new TinyData.Console().experiment(first);
            ExperimentConfig other = withLr(first, "adam", 0.01);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TinyData.Console().experiment(other));

            assertTrue(e.getMessage().contains("lr: 0.001 in the folder, 0.01 in this run"), e.getMessage());
            assertFalse(e.getMessage().contains("optimizer:"), e.getMessage());
            assertEquals(2 * 2, rows(out).size(), "the folder's rows are untouched");
        }

        @Test
        void aSweepIntoAnExperimentsFolderIsRefused() {
            Path out = dir.resolve("sweep-over-experiment");
            new TinyData.Console().experiment(TinyData.config(List.of("none"), out));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TinyData.Console()
                    .runner().sweep(TinyData.config(List.of("none"), out), SweptSetting.BATCH_SIZE, List.of(32.0)));

            assertTrue(e.getMessage().contains("batch size: 32 in the folder, varied in this run"), e.getMessage());
        }

        @Test
        void aFolderAnotherRunIsWritingToIsRefusedNamingTheHolder() {
            Path out = dir.resolve("busy");
            try (ResultsFolderLock held = ResultsFolderLock.acquire(out, false, notice -> { })) {
                var e = assertThrows(ResultsFolderLock.FolderLockedException.class,
                        () -> new TinyData.Console().experiment(TinyData.config(List.of("none"), out)));

                assertTrue(e.getMessage().contains("process " + ProcessHandle.current().pid() + " on host "),
                        e.getMessage());
                assertTrue(e.getMessage().contains("--wait"), e.getMessage());
            }
            assertFalse(Files.exists(out.resolve(ResultsCsv.FILE_NAME)), "nothing was written");
        }
    }

    @Nested
    class Faults {

        @Test
        void aHugeLearningRateGivesADivergedRowAndOneLineNamingNetNormSeedEpochAndStep() {
            Path out = dir.resolve("diverged");
            ExperimentConfig config = withLr(TinyData.config(List.of("none"), out), "sgd", TrainerTest.HUGE_LR);

            String console = new TinyData.Console().experiment(config);

            List<ResultRow> rows = rows(out);
            assertEquals(2, rows.size(), "one diverged row per seed: " + rows);
            assertTrue(rows.stream().allMatch(ResultRow::isDiverged), rows.toString());
            List<String> lines = console.lines().filter(l -> l.startsWith("diverged:")).collect(Collectors.toList());
            assertEquals(2, lines.size(), console);
            assertTrue(lines.get(0).matches("diverged: net mlp, norm none, seed 0, epoch 1, step \\d+: training loss "
                    + "(NaN|-?Infinity|[0-9.E]+) .*recorded as diverged in results.csv"), lines.get(0));
        }

        @Test
        void aFiniteLossFarAboveTheStartIsDivergedAndTheReportSaysWhatThatMeans() throws IOException {
            Path out = dir.resolve("far-above");
            ExperimentConfig config = withLr(TinyData.config(List.of("none"), out), "adam", 5.0);

            new TinyData.Console().experiment(config);

            assertTrue(rows(out).stream().anyMatch(ResultRow::isDiverged), rows(out).toString());
            String report = Files.readString(out.resolve(ExperimentReport.MARKDOWN_FILE));
            assertTrue(report.contains("A run diverges when a step's training loss is not finite or above 23.0"),
                    report);
            assertTrue(report.contains("| made | "), report);
        }

        @Test
        void anImpossiblePairingIsReportedAndTheOtherNormsStillRun() throws IOException {
            Path out = dir.resolve("impossible");
            String norm = ImagesOnlyTestNorm.NAME;

            String console = new TinyData.Console().experiment(TinyData.config(List.of("none", norm, "batch_norm"), out));

            assertTrue(console.contains("mlp with " + norm + " at batch size 32 is not possible: " + norm
                    + " cannot normalise the activation (2, 256) after linear(784→256) in mlp: it takes (N, C, H, W)"),
                    console);
            assertEquals(List.of("batch_norm", "none"), rows(out).stream().map(r -> r.key().config().norm()).distinct().sorted()
                    .collect(Collectors.toList()));
            assertTrue(Files.readString(out.resolve(ExperimentReport.MARKDOWN_FILE)).contains("is not possible"));
        }

        @Test
        void batchNormAtBatchSizeOneIsAnImpossiblePairingWhileNoNormTrains() {
            Path out = dir.resolve("batch-of-one");
            DatasetSplit small = SyntheticImages.generate(12, 10, 1);
            ExperimentConfig config = new ExperimentConfig("mlp", NONE_AND_BATCH_NORM, 1, 1, OptionalDouble.empty(),
                    Optional.empty(), 0, 0, 1, Optional.empty(), out, 1, Face.AUTO, Optional.empty(),
                    Optional.empty());

            String console = new TinyData.Console(small).experiment(config);

            assertTrue(console.contains("mlp with batch_norm at batch size 1 is not possible: batch_norm: expected "
                    + "more than 1 value per channel when training"), console);
            assertEquals(1, rows(out).size());
            assertEquals("none", rows(out).get(0).key().config().norm());
        }
    }

    @Nested
    class SyntheticData {

        @Test
        void theNoticeIsTheFirstConsoleLineAndTheFirstReportLine() throws IOException {
            String notice = "Fashion-MNIST not found in /nowhere: using a small synthetic 28×28 ten-class data set. "
                    + "Install the real data with: sudo apt-get install dataset-fashion-mnist";
            Path out = dir.resolve("synthetic");

            String console = new TinyData.Console(TinyData.split().withNotice(notice))
                    .experiment(TinyData.config(List.of("none"), out));

            assertEquals(notice, console.lines().findFirst().orElseThrow());
            String firstReportLine = Files.readString(out.resolve(ExperimentReport.MARKDOWN_FILE)).lines().findFirst()
                    .orElseThrow();
            assertTrue(firstReportLine.contains(notice), firstReportLine);
        }
    }

    @Nested
    class Sweep {

        @Test
        void aBatchSizeSweepRunsTheGridAndWritesItsReport() throws IOException {
            Path out = dir.resolve("sweep");
            ExperimentConfig config = TinyData.config(NONE_AND_BATCH_NORM, out);
            TinyData.Console console = new TinyData.Console();

            console.runner().sweep(config, SweptSetting.BATCH_SIZE, List.of(16.0, 64.0));

            assertEquals(List.of(16, 64), rows(out).stream().map(r -> r.key().config().batchSize()).distinct().sorted()
                    .collect(Collectors.toList()));
            assertEquals(2 * 2 * 2 * 2, rows(out).size());
            assertTrue(Files.size(out.resolve(SweepReport.MARKDOWN_FILE)) > 0);
            assertTrue(Files.size(out.resolve(SweepReport.PLOT)) > 0);
            assertTrue(console.text().contains("== batch size 16"), console.text());
        }

        @Test
        void aCategoricalSweepKeysEachValueInItsOwnColumnAndARerunResumes() throws IOException {
            Path out = dir.resolve("init-sweep");
            ExperimentConfig config = TinyData.config(NONE_AND_BATCH_NORM, out);
            List<Variation> init = List.of(SweptSetting.parse("init=xavier,default"));
            new TinyData.Console().runner().sweep(config, init);
            List<String> before = csvLines(out);

            TinyData.Console again = new TinyData.Console();
            again.runner().sweep(config, init);

            assertEquals(List.of("default", "xavier"), rows(out).stream().map(r -> r.key().config().init()).distinct()
                    .sorted().toList());
            assertEquals(2 * 2 * 2 * 2, rows(out).size());
            assertEquals(before, csvLines(out), "the rerun trained nothing");
            assertEquals(2 * 2 * 2, again.text().lines().filter(l -> l.endsWith("already in results.csv, skipped"))
                    .count(), again.text());
            assertTrue(again.text().contains("mlp/batch_norm/b32/lr 0.001/init=xavier/seed 1: already in"),
                    again.text());
            assertTrue(Files.readString(out.resolve(ExperimentRunner.SETUP_FILE)).contains("init: varied"));
            String report = Files.readString(out.resolve(SweepReport.MARKDOWN_FILE));
            assertTrue(report.contains("| norm | initialisation default | initialisation xavier |"), report);
            assertTrue(report.contains("## Bars"), report);
            assertTrue(report.contains("batch_norm, initialisation xavier against default: final accuracy "), report);
        }

        @Test
        void twoVariedSettingsRunEveryCombinationAndANormOptionLandsInTheLabel() {
            Path out = dir.resolve("grid");
            ExperimentConfig config = TinyData.config(List.of("group_norm"), out);

            new TinyData.Console().runner().sweep(config, List.of(SweptSetting.parse("init=default,kaiming"),
                    SweptSetting.parse("groups=1,2")));

            assertEquals(List.of("default group_norm:groups=1", "default group_norm:groups=2",
                    "kaiming group_norm:groups=1", "kaiming group_norm:groups=2"), rows(out).stream()
                    .map(r -> r.key().config().init() + " " + r.key().config().norm()).distinct().sorted().toList());
            assertEquals(4 * 2 * 2, rows(out).size());
        }

        @Test
        void aNormOptionSomeNormsDoNotTakeIsRefusedBeforeAnythingTrains() {
            Path out = dir.resolve("groups-with-batch-norm");
            ExperimentConfig config = TinyData.config(List.of("group_norm", "batch_norm", "none"), out);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TinyData.Console()
                    .runner().sweep(config, List.of(SweptSetting.parse("groups=1,2"))));

            assertEquals("--vary groups: batch_norm, none take no option groups (group_norm does); a norm option is "
                    + "varied in every norm of --norms, so list only norms that take it", e.getMessage());
            assertFalse(Files.exists(out.resolve(ResultsCsv.FILE_NAME)));
        }

        @Test
        void anOlderResultsFileResumesWithTheInitItsFolderRecorded() throws IOException {
            Path out = dir.resolve("older");
            ExperimentConfig config = TinyData.config(List.of("none"), out).withInit("xavier");
            new TinyData.Console().experiment(config);
            // The same rows as a normkit from before the extra key columns wrote them.
            List<String> older = csvLines(out).stream().map(line -> String.join(",",
                    Arrays.copyOf(line.split(",", -1), 16))).toList();
            Files.write(out.resolve(ResultsCsv.FILE_NAME), older, StandardCharsets.UTF_8);

            String console = new TinyData.Console().experiment(config);

            // Both runs are found although the rows do not name their init: the folder's setup.txt does.
            assertEquals(2, console.lines().filter(l -> l.endsWith("already in results.csv, skipped")).count(),
                    console);
        }
    }
}
