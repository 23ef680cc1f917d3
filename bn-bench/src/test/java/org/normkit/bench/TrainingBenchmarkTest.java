package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;

/**
 * The training-step benchmark: its workload (the experiments' nets on both faces) and tiny end-to-end JMH runs through
 * the one runner and report (its plan: {@link BenchPlanTest}). Nothing about speed is asserted.
 */
class TrainingBenchmarkTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();
    private static final RunSettings TINY = new RunSettings(0, Duration.ofMillis(1), 1, Duration.ofMillis(5), 0,
            RunSettings.forkJvmArgs(List.of()));

    @Nested
    class Workload {
        @Test
        void bothFacesStartFromTheSameLossAndTrain() {
            TrainingWorkload reference = TrainingWorkload.build(REGISTRY, "mlp", "batch_norm", Face.REFERENCE);
            TrainingWorkload fused = TrainingWorkload.build(REGISTRY, "mlp", "batch_norm", Face.FUSED);
            double first = reference.step().item();
            assertEquals(first, fused.step().item(), 1e-5);
            double fusedLoss = first;
            double referenceLoss = first;
            for (int i = 0; i < 5; i++) {
                fusedLoss = fused.step().item();
                referenceLoss = reference.step().item();
            }
            assertTrue(fusedLoss < first, "loss " + first + " -> " + fusedLoss);
            assertEquals(referenceLoss, fusedLoss, 1e-3 * first);
        }

        @Test
        void lenetTrainsWithAndWithoutNorms() {
            for (String norm : List.of("none", "batch_norm")) {
                TrainingWorkload w = TrainingWorkload.build(REGISTRY, "lenet", norm, Face.FUSED);
                double first = w.step().item();
                double later = first;
                for (int i = 0; i < 3; i++) {
                    later = w.step().item();
                }
                assertTrue(Double.isFinite(later) && later < first, norm + ": loss " + first + " -> " + later);
            }
        }
    }

    @Nested
    class EndToEnd {
        private BenchReport runHere(BenchPlan plan, StringWriter progress) {
            return BenchRunner.runInThisJvm(plan, TINY, List.of(), new PrintWriter(progress, true), 0, plan.combos());
        }

        @Test
        void everyCombinationGetsARowAndTheReportRoundTrips(@TempDir Path dir) {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.training().withNets(List.of("mlp"))
                    .withNorms(List.of("none", "batch_norm", "instance_norm")));
            StringWriter progress = new StringWriter();
            BenchReport report = runHere(plan, progress);
            assertEquals(3, report.results().size(), progress.toString());
            for (BenchResult r : report.results()) {
                assertTrue(r.samplesPerSecond() > 0 && r.samplesPerSecondMedian() > 0, r.toString());
                assertEquals(TrainingWorkload.BATCH * 1000.0 / r.samplesPerSecond(), r.msPerStep(), 1e-9);
                assertEquals(BenchKind.TRAINING, r.kind());
            }
            assertEquals(List.of("-", "reference", "fused"), report.results().stream().map(BenchResult::face)
                    .toList());
            assertEquals(TrainingWorkload.BATCH, report.batch());
            assertTrue(progress.toString().contains("[3/3]"), progress.toString());
            assertTrue(report.threadsHook().contains("KernelThreads.set"), report.threadsHook());
            String text = ReportTable.text(report);
            assertTrue(text.contains("samples/s") && text.contains("not run:") && text.contains("instance_norm"), text);

            Path json = dir.resolve("training.json");
            report.write(json);
            assertEquals(report, BenchReport.read(json));
            String markdown = ReportTable.markdown(report);
            assertTrue(markdown.startsWith("# normkit training-step benchmark") && !markdown.contains("Bytes model"),
                    markdown);
        }

        @Test
        void aNormThatThrowsIsReportedFailedAndTheOthersStillRun() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.training().withNets(List.of("mlp"))
                    .withNorms(List.of("toy_failing_norm", "none")));
            StringWriter progress = new StringWriter();
            BenchReport report = runHere(plan, progress);
            assertEquals(List.of("toy_failing_norm/reference", "none/-"), report.results().stream()
                    .map(r -> r.norm() + "/" + r.face()).toList(), progress.toString());
            BenchPlan.Skip failed = report.skipped().get(0);
            assertEquals("mlp toy_failing_norm fused t=1", failed.what());
            assertTrue(failed.reason().startsWith("failed: ") && failed.reason().contains("deliberate failure"),
                    failed.reason());
        }

        @Test
        void aRunStartsOneJvmPerThreadCountWithTheBlasOnOneThread() {
            BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.training().withNets(List.of("mlp"))
                    .withNorms(List.of("none")).withThreads(List.of(1, 2)));
            StringWriter progress = new StringWriter();
            BenchReport report = BenchRunner.run(plan, TINY, new PrintWriter(progress, true));
            assertEquals(List.of(1, 2), report.results().stream().map(BenchResult::threads).toList());
            assertTrue(report.threadsHook().contains("OPENBLAS_NUM_THREADS=1 in the JVM of threads=1")
                    && report.threadsHook().contains("OPENBLAS_NUM_THREADS=1 in the JVM of threads=2"),
                    report.threadsHook());
            assertTrue(progress.toString().contains("[2/2]"), progress.toString());
        }
    }
}
