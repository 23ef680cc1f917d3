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
}
