package org.normkit.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepReportTest {

    private static final ReportContext CONTEXT = ReportContext.of(Map.of("net", "mlp"), "", false);

    /** Final accuracies of batch_norm and group_norm at batch sizes 2 and 256, three seeds each. */
    private static List<ResultRow> sweep(double batchNormSmall, double groupNormSmall, double batchNormLarge,
                                         double groupNormLarge) {
        Rows rows = new Rows();
        double[] jitter = {-0.004, 0.0, 0.004};
        for (int seed = 0; seed < 3; seed++) {
            rows.run(Rows.key("batch_norm", 2, 1e-3, seed), batchNormSmall + jitter[seed]);
            rows.run(Rows.key("group_norm", 2, 1e-3, seed), groupNormSmall + jitter[seed]);
            rows.run(Rows.key("batch_norm", 256, 1e-3, seed), batchNormLarge + jitter[seed]);
            rows.run(Rows.key("group_norm", 256, 1e-3, seed), groupNormLarge + jitter[(seed + 1) % 3]);
        }
        return rows.list();
    }

    @Test
    void curvesThatCrossAreSaidToCross() {
        SweepReport report = SweepReport.of(sweep(0.70, 0.82, 0.87, 0.84), SweptSetting.BATCH_SIZE, CONTEXT);

        String sentence = report.crossingSentences().get(0);

        assertTrue(sentence.startsWith("The batch_norm and group_norm curves cross between batch size 2 and 256: "
                + "at batch size 2, group_norm is ahead by 0.1200"), sentence);
        assertTrue(sentence.contains("at batch size 256, batch_norm is ahead by 0.0300"), sentence);
        assertTrue(sentence.contains("Both differences are larger than seed noise"), sentence);
    }

    @Test
    void curvesThatDoNotCrossAreSaidNotToAndTheMissingEffectIsNamed() {
        SweepReport report = SweepReport.of(sweep(0.85, 0.80, 0.87, 0.84), SweptSetting.BATCH_SIZE, CONTEXT);

        String sentence = report.crossingSentences().get(0);

        assertTrue(sentence.startsWith("The batch_norm and group_norm curves do not cross between batch size 2 and "
                + "256: batch_norm is ahead at both ends"), sentence);
        assertTrue(sentence.contains("did not appear in this run"), sentence);
    }

    @Test
    void aCurveThatCrossesAndCrossesBackIsNamedBetweenTheEnds() {
        Rows rows = new Rows();
        double[][] accuracy = {{2, 0.72, 0.83}, {8, 0.83, 0.82}, {32, 0.83, 0.82}, {128, 0.82, 0.83}};
        double[] jitter = {-0.004, 0.0, 0.004};
        for (double[] point : accuracy) {
            for (int seed = 0; seed < 3; seed++) {
                rows.run(Rows.key("batch_norm", (int) point[0], 1e-3, seed), point[1] + jitter[seed]);
                rows.run(Rows.key("group_norm", (int) point[0], 1e-3, seed), point[2] + jitter[(seed + 1) % 3]);
            }
        }

        String sentence = SweepReport.of(rows.list(), SweptSetting.BATCH_SIZE, CONTEXT).crossingSentences().get(0);

        assertTrue(sentence.contains("do not cross between batch size 2 and 128"), sentence);
        assertTrue(sentence.contains("the higher mean changes hands 2 times: between batch size 2 and 8 (batch_norm "
                + "ahead from there); between batch size 32 and 128 (group_norm ahead from there)."), sentence);
        assertTrue(sentence.contains("at batch size 2 (group_norm)"), sentence);
    }

    @Test
    void withoutBothNormsItSaysItCannotTell() {
        List<ResultRow> rows = new Rows().run(Rows.key("batch_norm", 2, 1e-3, 1), 0.7)
                .run(Rows.key("batch_norm", 8, 1e-3, 1), 0.8).list();

        SweepReport report = SweepReport.of(rows, SweptSetting.BATCH_SIZE, CONTEXT);

        assertEquals(List.of("This sweep has no batch_norm and group_norm runs with the same other settings, so it "
                + "cannot say whether their curves cross."), report.crossingSentences());
    }

    @Test
    void theTableShowsEachValueAndDivergedCells(@TempDir Path dir) throws IOException {
        List<ResultRow> rows = new Rows().run(Rows.key("batch_norm", 64, 0.001, 1), 0.8)
                .run(Rows.key("batch_norm", 64, 0.01, 1), 0.82)
                .diverged(Rows.key("batch_norm", 64, 1, 1), 1).list();

        SweepReport report = SweepReport.of(rows, SweptSetting.LEARNING_RATE, CONTEXT);
        report.writeTo(dir);

        String markdown = Files.readString(dir.resolve("sweep.md"));
        assertTrue(markdown.contains("| norm | learning rate 0.001 | learning rate 0.01 | learning rate 1 |"),
                markdown);
        assertTrue(markdown.contains("| batch_norm | 0.8000 (1 seed) | 0.8200 (1 seed) | diverged |"), markdown);
        assertTrue(markdown.contains("A single seed has no interval"), markdown);
        assertTrue(markdown.contains("Tolerance of the learning rate: batch_norm is best at learning rate 0.01 "
                + "(0.8200); within 0.01 of that at learning rate 0.01 (1 of 3 values)."), markdown);
        assertTrue(Files.size(dir.resolve("sweep.png")) > 100);
        assertTrue(Files.size(dir.resolve("sweep.html")) > 100);
    }

    /** batch_norm and none over the three initialisations, three seeds each, final accuracy given per value. */
    private static List<ResultRow> initSweep(double defaultAccuracy, double xavier, double kaiming) {
        Rows rows = new Rows();
        double[] jitter = {-0.004, 0.0, 0.004};
        double[] accuracy = {defaultAccuracy, xavier, kaiming};
        List<String> inits = List.of("default", "xavier", "kaiming");
        for (int i = 0; i < 3; i++) {
            for (int seed = 0; seed < 3; seed++) {
                for (String norm : List.of("none", "batch_norm")) {
                    RunKey key = Rows.key(norm, 128, 1e-3, seed);
                    rows.run(new RunKey(key.config().withInit(inits.get(i)), seed), accuracy[i] + jitter[seed]);
                }
            }
        }
        return rows.list();
    }

    @Test
    void aCategoricalSweepTabulatesEachValueDrawsBarsAndTestsEachAgainstTheDefault(@TempDir Path dir)
            throws IOException {
        SweepReport report = SweepReport.of(initSweep(0.80, 0.86, 0.805), SweptSetting.INIT, CONTEXT);
        report.writeTo(dir);

        String markdown = Files.readString(dir.resolve("sweep.md"));
        assertEquals(List.of("norm", "initialisation default", "initialisation xavier", "initialisation kaiming"),
                report.accuracyTable().header());
        assertEquals(List.of("none", "batch_norm"), report.accuracyTable().rows().stream().map(row -> row.get(0))
                .toList());
        assertTrue(markdown.contains("## Bars"), markdown);
        assertTrue(markdown.contains("The y axis starts at 0.75"), markdown);
        assertEquals(List.of(), report.crossingSentences());
        assertTrue(report.findings().contains("batch_norm, initialisation xavier against default: final accuracy "
                + "0.8600 ± 0.0099 against 0.8000 ± 0.0099, a difference of +0.0600 (Welch p < 0.001, larger than "
                + "seed noise at the 5 % level)."), report.findings().toString());
        assertTrue(report.findings().stream().anyMatch(s -> s.startsWith("batch_norm, initialisation kaiming against "
                + "default: final accuracy 0.8050 ± 0.0099 against 0.8000 ± 0.0099, a difference of +0.0050 (Welch "
                + "p = ") && s.endsWith("not distinguishable from seed noise with 3 and 3 seeds).")),
                report.findings().toString());
        assertTrue(report.findings().contains("batch_norm has its highest mean at initialisation xavier (0.8600); "
                + "every other value is below it by more than seed noise at the 5 % level."),
                report.findings().toString());
        assertTrue(Files.size(dir.resolve("sweep.png")) > 100);
    }

    @Test
    void aNormOptionSweepDrawsOneCurvePerNormWithoutTheOption() {
        Rows rows = new Rows();
        for (int seed = 0; seed < 2; seed++) {
            rows.run(Rows.key("group_norm:groups=1", 32, 1e-3, seed), 0.80 + seed * 0.01);
            rows.run(Rows.key("group_norm:groups=4", 32, 1e-3, seed), 0.82 + seed * 0.01);
        }

        SweepReport report = SweepReport.of(rows.list(), SweptSetting.normOption("groups", List.of("1", "4")),
                CONTEXT);

        assertEquals(List.of("norm", "groups 1", "groups 4"), report.accuracyTable().header());
        assertEquals("group_norm", report.accuracyTable().rows().get(0).get(0));
        assertEquals(1, report.accuracyTable().rows().size());
        assertTrue(report.findings().get(0).startsWith("group_norm, groups 4 against 1: final accuracy 0.8250 ± "),
                report.findings().toString());
    }

    @Test
    void aSecondVariedSettingTellsTheCurvesApart() {
        Rows rows = new Rows();
        for (int seed = 0; seed < 2; seed++) {
            for (double lr : new double[] {0.01, 0.1}) {
                for (String init : List.of("default", "xavier")) {
                    RunKey key = Rows.key("batch_norm", 32, lr, seed);
                    rows.run(new RunKey(key.config().withInit(init), seed), 0.8 + lr + seed * 0.01);
                }
            }
        }

        SweepReport report = SweepReport.of(rows.list(), SweptSetting.INIT, CONTEXT);

        assertEquals(List.of("batch_norm lr=0.01", "batch_norm lr=0.1"), report.accuracyTable().rows().stream()
                .map(row -> row.get(0)).toList());
    }

    @Test
    void numericSettingsWithZeroAreDrawnAsLines(@TempDir Path dir) throws IOException {
        Rows rows = new Rows();
        for (double decay : new double[] {0, 0.001, 0.01}) {
            RunKey key = Rows.key("batch_norm", 32, 1e-3, 0);
            rows.run(new RunKey(key.config().withWeightDecay(decay), 0), 0.85 - decay);
        }

        SweepReport report = SweepReport.of(rows.list(), SweptSetting.WEIGHT_DECAY, CONTEXT);
        report.writeTo(dir);

        assertEquals(List.of("norm", "weight decay 0", "weight decay 0.001", "weight decay 0.01"),
                report.accuracyTable().header());
        assertTrue(Files.readString(dir.resolve("sweep.md")).contains("## Curves"));
        assertTrue(Files.size(dir.resolve("sweep.png")) > 100);
    }
}
