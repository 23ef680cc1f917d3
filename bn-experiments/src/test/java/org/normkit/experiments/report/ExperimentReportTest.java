package org.normkit.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentReportTest {

    private static final Map<String, String> CONFIGURATION = new LinkedHashMap<>(Map.of("net", "mlp", "epochs", "3"));

    /** none converges slowly; batch_norm starts clearly ahead; layer_norm has one diverged seed. */
    private static List<ResultRow> threeSeeds() {
        Rows rows = new Rows();
        double[][] none = {{0.60, 0.75, 0.82}, {0.62, 0.76, 0.83}, {0.61, 0.74, 0.81}};
        double[][] batchNorm = {{0.78, 0.83, 0.85}, {0.79, 0.84, 0.86}, {0.80, 0.83, 0.86}};
        for (int seed = 0; seed < 3; seed++) {
            rows.run(Rows.key("none", 64, 1e-3, seed + 1), none[seed]);
            rows.run(Rows.key("batch_norm", 64, 1e-3, seed + 1), batchNorm[seed]);
        }
        rows.run(Rows.key("layer_norm", 64, 1e-3, 1), 0.7, 0.8, 0.84);
        rows.run(Rows.key("layer_norm", 64, 1e-3, 2), 0.71, 0.79, 0.83);
        rows.diverged(Rows.key("layer_norm", 64, 1e-3, 3), 2);
        return rows.list();
    }

    @Nested
    class Files_ {

        @TempDir
        Path dir;

        @Test
        void writesMarkdownHtmlAndPlotsThatAreNotEmpty() throws IOException {
            ExperimentReport report = ExperimentReport.of(threeSeeds(), ReportContext.of(CONFIGURATION, "", false));

            List<Path> written = report.writeTo(dir);

            for (String name : List.of("report.md", "report.html", "accuracy.png", "loss.png")) {
                Path file = dir.resolve(name);
                assertTrue(written.contains(file), name);
                assertTrue(Files.size(file) > 100, name + " is nearly empty");
            }
            byte[] png = Files.readAllBytes(dir.resolve("accuracy.png"));
            assertEquals((byte) 0x89, png[0]);
            assertEquals('P', png[1]);
            assertTrue(Files.readString(dir.resolve("report.html")).contains("data:image/png;base64,"));
        }
    }

    @Nested
    class Tables {

        private final String markdown =
                ExperimentReport.of(threeSeeds(), ReportContext.of(CONFIGURATION, "", false)).markdown();

        @Test
        void oneRowPerNormWithMeanConfidenceTimeAndPValue() {
            // none final 0.82 ± t(0.975,2)·0.01/√3 = 0.0248; target = none's final mean, reached at epoch 3.
            assertTrue(markdown.contains("| none | 3 | 0.8200 ± 0.0248 | 0.6100 ± 0.0248 | 3 | 2.00 | 1000 | baseline |"),
                    markdown);
            assertTrue(markdown.contains("| batch_norm | 3 | 0.8567 ± 0.0143 | 0.7900 ± 0.0248 | 2 | 2.00 | 1000 | "),
                    markdown);
            assertTrue(markdown.contains("| layer_norm | 3 (1 diverged) | 0.8350 ± 0.0635 |"), markdown);
        }

        @Test
        void theConfigurationAndTheTargetAreStated() {
            assertTrue(markdown.contains("| epochs | 3 |"), markdown);
            assertTrue(markdown.contains("| seeds | 3 (1, 2, 3) |"), markdown);
            assertTrue(markdown.contains("| target accuracy | 0.8200, the final mean test accuracy of none"),
                    markdown);
        }

        @Test
        void divergedRunsAreListed() {
            assertTrue(markdown.contains("| layer_norm | 3 | 2 | NaN |"), markdown);
        }

        @Test
        void aGivenTargetIsUsed() {
            String withTarget = ExperimentReport.of(threeSeeds(),
                    ReportContext.of(CONFIGURATION, "", false).withTargetAccuracy(0.75)).markdown();

            assertTrue(withTarget.contains("| target accuracy | 0.7500, as given"), withTarget);
            assertTrue(withTarget.contains("epochs to 0.7500"), withTarget);
        }
    }

    @Nested
    class Sentences {

        @Test
        void fasterConvergenceIsClaimedOnlyWithATestBehindIt() {
            String markdown = ExperimentReport.of(threeSeeds(), ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(markdown.contains("## What these numbers say"), markdown);
            assertTrue(markdown.contains("This run supports faster convergence with batch_norm."), markdown);
            assertTrue(markdown.contains("Divergence: layer_norm diverged in 1 of 3 seeds (at epoch 2)."), markdown);
        }

        @Test
        void epochOneIsSetAgainstItsCompilationWhenTheRowsRecordIt() {
            RunKey key = Rows.key("batch_norm", 64, 1e-3, 1);
            List<ResultRow> rows = List.of(
                    ResultRow.ok(key, 1, 0.5, 0.5, 0.7, 0.7, 5.0, 1000).withJvmSeconds(2.5, 0.4),
                    ResultRow.ok(key, 2, 0.4, 0.4, 0.8, 0.8, 3.0, 1000).withJvmSeconds(0.5, 0.2),
                    ResultRow.ok(key, 3, 0.3, 0.3, 0.85, 0.85, 3.0, 1000).withJvmSeconds(0.5, 0.2));

            String markdown = ExperimentReport.of(rows, ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(markdown.contains("## Epoch 1 against later epochs"), markdown);
            // epoch 1 is 2 s longer and compiled 2 s more: the excess is of the order of the compilation.
            assertTrue(markdown.contains("| 5.00 | 3.00 | 1.67 | 2.50 / 0.50 | 0.40 / 0.20 | 1.00 |"), markdown);
        }

        @Test
        void rowsWithoutJvmSecondsHaveNoEpochOneSection() {
            String markdown = ExperimentReport.of(threeSeeds(), ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(!markdown.contains("Epoch 1 against later epochs"), markdown);
        }

        @Test
        void oneSeedIsNotEnoughToTest() {
            List<ResultRow> rows = new Rows().run(Rows.key("none", 64, 1e-3, 1), 0.6, 0.8)
                    .run(Rows.key("batch_norm", 64, 1e-3, 1), 0.8, 0.85).list();

            String markdown = ExperimentReport.of(rows, ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(markdown.contains("not enough seeds to test"), markdown);
            assertTrue(!markdown.contains("supports faster convergence"), markdown);
        }

        @Test
        void withoutABaselineItSaysWhatItCannotShow() {
            List<ResultRow> rows = new Rows().run(Rows.key("batch_norm", 64, 1e-3, 1), 0.8, 0.85)
                    .run(Rows.key("group_norm", 64, 1e-3, 1), 0.78, 0.84).list();

            String markdown = ExperimentReport.of(rows, ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(markdown.contains("There is no none run to compare with"), markdown);
        }

        @Test
        void runsOfOnlyTheBaselineSayThereIsNothingToCompareNotThatTheBaselineIsMissing() {
            List<ResultRow> rows = new Rows().run(Rows.key("none", 64, 1e-3, 1), 0.6, 0.8)
                    .run(Rows.key("none", 64, 1e-3, 2), 0.62, 0.81).list();

            String markdown = ExperimentReport.of(rows, ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(markdown.contains("Only none ran: there is no norm to compare with it."), markdown);
            assertTrue(!markdown.contains("There is no none run"), markdown);
        }

        @Test
        void aRunAtChanceLevelIsFlaggedAsNotLearning() {
            List<ResultRow> rows = new Rows().run(Rows.key("none", 64, 1e-3, 1), 0.6, 0.8)
                    .run(Rows.key("batch_norm", 64, 0.5, 1), 0.1, 0.1).list();

            String markdown = ExperimentReport.of(rows, ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(markdown.contains("## Runs that did not learn"), markdown);
            assertTrue(markdown.contains("- batch_norm lr=0.5, seed 1"), markdown);
            assertTrue(markdown.contains("Did not learn: batch_norm lr=0.5 ended at chance level"), markdown);
        }

        @Test
        void timesLeaveOutTheWarmUpEpochAndOneEpochRunsAreNotCompared() {
            Rows rows = new Rows();
            rows.run(Rows.key("none", 64, 1e-3, 1), 0.6);
            rows.run(Rows.key("batch_norm", 64, 1e-3, 1), 0.7);

            String markdown = ExperimentReport.of(rows.list(), ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(markdown.contains("Time: batch_norm and none cannot be compared: with one epoch per run"),
                    markdown);
        }

        @Test
        void theCaptionSaysWhatTheBandIsAndOverHowManySeeds() {
            String markdown = ExperimentReport.of(threeSeeds(), ReportContext.of(CONFIGURATION, "", false)).markdown();

            assertTrue(markdown.contains("Lines are means over 3 seeds; the shaded band runs from the lowest to the "
                    + "highest seed (the range of the seeds, not a confidence interval)."), markdown);
        }

        @Test
        void syntheticDataIsTheFirstLine() {
            String notice = "Fashion-MNIST not found in /x: using a small synthetic 28×28 ten-class data set.";

            String markdown = ExperimentReport.of(threeSeeds(), ReportContext.of(CONFIGURATION, notice, true))
                    .markdown();

            assertEquals("> **Warning:** " + notice, markdown.lines().findFirst().orElseThrow());
            assertTrue(markdown.contains("The data is synthetic"), markdown);
        }
    }
}
