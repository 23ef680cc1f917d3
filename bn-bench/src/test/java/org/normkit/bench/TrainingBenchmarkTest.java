package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * The training-step benchmark: its plan (what runs, what is skipped and why), its workload (the experiments' nets
 * on both faces), and tiny end-to-end JMH runs. Nothing about speed is asserted.
 */
class TrainingBenchmarkTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();
    private static final RunSettings TINY = new RunSettings(0, Duration.ofMillis(1), 1, Duration.ofMillis(5), 0,
            RunSettings.forkJvmArgs(List.of()));

    @Nested
    class Plan {
        @Test
        void theNetWithoutNormsRunsOncePerNetWhateverTheFaces() {
            TrainingPlan plan = TrainingPlan.of(REGISTRY, TrainingPlan.Selection.all()
                    .withNorms(List.of("none", "batch_norm")).withThreads(List.of(1, 2)));
            assertEquals(List.of(
                    new TrainingPlan.Group("mlp", "none", List.of(Face.REFERENCE)),
                    new TrainingPlan.Group("mlp", "batch_norm", List.of(Face.REFERENCE, Face.FUSED)),
                    new TrainingPlan.Group("lenet", "none", List.of(Face.REFERENCE)),
                    new TrainingPlan.Group("lenet", "batch_norm", List.of(Face.REFERENCE, Face.FUSED)),
                    new TrainingPlan.Group("transformer", "none", List.of(Face.REFERENCE)),
                    new TrainingPlan.Group("transformer", "batch_norm", List.of(Face.REFERENCE, Face.FUSED)),
                    new TrainingPlan.Group("lstm", "none", List.of(Face.REFERENCE)),
                    new TrainingPlan.Group("lstm", "batch_norm", List.of(Face.REFERENCE, Face.FUSED))),
                    plan.groups());
            assertEquals(24, plan.combos());
            assertTrue(plan.skipped().isEmpty(), plan.skipped().toString());
        }

        @Test
        void aNormThatCannotSitInTheNetIsSkippedWithTheReason() {
            TrainingPlan plan = TrainingPlan.of(REGISTRY, TrainingPlan.Selection.all()
                    .withNets(List.of("lenet")).withNorms(List.of("batch_norm1d")));
            assertTrue(plan.groups().isEmpty());
            TrainingPlan.Skip skip = plan.skipped().get(0);
            assertEquals("*", skip.face());
            assertTrue(skip.reason().contains("batch_norm1d cannot normalise the activation"), skip.reason());
        }

        @Test
        void everyRegisteredNormAndNoneByDefault() {
            TrainingPlan plan = TrainingPlan.of(REGISTRY, TrainingPlan.Selection.all().withNets(List.of("mlp")));
            long planned = plan.groups().size() + plan.skipped().stream().filter(s -> s.face().equals("*")).count();
            assertEquals(REGISTRY.names().size() + 1, planned);
            assertEquals("none", plan.groups().get(0).norm());
        }

        @Test
        void unknownNamesAreErrorsThatListTheKnownOnes() {
            IllegalArgumentException norm = assertThrows(IllegalArgumentException.class, () -> TrainingPlan.of(
                    REGISTRY, TrainingPlan.Selection.all().withNorms(List.of("no_such_norm"))));
            assertTrue(norm.getMessage().contains("registered: batch_norm"), norm.getMessage());
            IllegalArgumentException net = assertThrows(IllegalArgumentException.class,
                    () -> TrainingPlan.Selection.all().withNets(List.of("resnet")));
            assertTrue(net.getMessage().contains("expected one of [mlp, lenet, transformer, lstm]"), net.getMessage());
        }
    }

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
        @Test
        void everyCombinationGetsARowAndTheReportRoundTrips(@TempDir Path dir) {
            TrainingPlan plan = TrainingPlan.of(REGISTRY, TrainingPlan.Selection.all().withNets(List.of("mlp"))
                    .withNorms(List.of("none", "batch_norm", "instance_norm")));
            StringWriter progress = new StringWriter();
            TrainingReport report = TrainingRunner.runInThisJvm(plan, TINY, List.of(),
                    new PrintWriter(progress, true), 0, plan.combos());
            assertEquals(3, report.results().size(), progress.toString());
            for (TrainingReport.Row r : report.results()) {
                assertTrue(r.samplesPerSecond() > 0 && r.samplesPerSecondMedian() > 0, r.toString());
                assertEquals(TrainingWorkload.BATCH * 1000.0 / r.samplesPerSecond(), r.msPerStep(), 1e-9);
            }
            assertEquals(List.of("-", "reference", "fused"), report.results().stream().map(TrainingReport.Row::face)
                    .toList());
            assertTrue(progress.toString().contains("[3/3]"), progress.toString());
            assertTrue(report.threadsHook().contains("KernelThreads.set"), report.threadsHook());
            String text = report.text();
            assertTrue(text.contains("samples/s") && text.contains("Not run:") && text.contains("instance_norm"), text);

            Path json = dir.resolve("training.json");
            ReportJson.write(json, report);
            assertEquals(report, ReportJson.read(json, TrainingReport.class));
            assertFalse(report.markdown().isBlank());
        }

        @Test
        void aNormThatThrowsIsReportedFailedAndTheOthersStillRun() {
            TrainingPlan plan = TrainingPlan.of(REGISTRY, TrainingPlan.Selection.all().withNets(List.of("mlp"))
                    .withNorms(List.of("toy_failing_norm", "none")));
            StringWriter progress = new StringWriter();
            TrainingReport report = TrainingRunner.runInThisJvm(plan, TINY, List.of(),
                    new PrintWriter(progress, true), 0, plan.combos());
            assertEquals(List.of("toy_failing_norm/reference", "none/-"), report.results().stream()
                    .map(r -> r.norm() + "/" + r.face()).toList(), progress.toString());
            TrainingPlan.Skip failed = report.skipped().get(0);
            assertEquals("fused", failed.face());
            assertTrue(failed.reason().startsWith("failed with threads=1: ")
                    && failed.reason().contains("deliberate failure"), failed.reason());
        }

        @Test
        void aRunStartsOneJvmPerThreadCountWithTheBlasThreadCountSet() {
            TrainingPlan plan = TrainingPlan.of(REGISTRY, TrainingPlan.Selection.all().withNets(List.of("mlp"))
                    .withNorms(List.of("none")).withThreads(List.of(1, 2)));
            StringWriter progress = new StringWriter();
            TrainingReport report = TrainingRunner.run(plan, TINY, new PrintWriter(progress, true));
            assertEquals(List.of(1, 2), report.results().stream().map(TrainingReport.Row::threads).toList());
            assertTrue(report.threadsHook().contains("OPENBLAS_NUM_THREADS=1 in the JVM of threads=1")
                    && report.threadsHook().contains("OPENBLAS_NUM_THREADS=2 in the JVM of threads=2"),
                    report.threadsHook());
            assertTrue(progress.toString().contains("[2/2]"), progress.toString());
        }
    }
}
