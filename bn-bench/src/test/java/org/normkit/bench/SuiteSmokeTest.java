package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.tensor.DType;

/**
 * Runs real JMH benchmarks, tiny ones (one 5 ms iteration each), end to end over the test-only norms: in this JVM,
 * in the one forked JVM of a quick run, and with a JMH fork per benchmark. Nothing about speed is asserted; the
 * class takes a few seconds, most of it starting JVMs.
 */
class SuiteSmokeTest {
    private static final RunSettings TINY = new RunSettings(0, Duration.ofMillis(1), 1, Duration.ofMillis(5), 0,
            RunSettings.forkJvmArgs(List.of()));
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    @Test
    void everyPlannedCombinationGetsARowWithItsCopyBaseline() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("batch_norm_toy", "toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1, 2));
        SuitePlan plan = SuitePlan.of(REGISTRY, selection);
        StringWriter progress = new StringWriter();
        BenchReport report = SuiteRunner.runInThisJvm(plan, TINY, new PrintWriter(progress, true));
        assertEquals(plan.normCombos(), report.results().size(), progress.toString());
        for (BenchResult r : report.results()) {
            assertTrue(r.ms() > 0 && r.copyMs() > 0 && r.gbPerSecond() > 0, r.toString());
            assertEquals(r.ms() / r.copyMs(), r.ratioToCopy(), 1e-12);
        }
        assertEquals(plan.skipped(), report.skipped());
        assertTrue(progress.toString().contains("[" + (plan.normCombos() + plan.copyCombos()) + "/"), progress.toString());
    }

    @Test
    void aNormThatThrowsIsReportedFailedAndTheOthersStillRun() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("toy_failing_norm", "toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1)).withPasses(List.of(BenchPass.TRAIN_FORWARD));
        SuitePlan plan = SuitePlan.of(REGISTRY, selection);
        StringWriter progress = new StringWriter();
        BenchReport report = SuiteRunner.runInThisJvm(plan, TINY, new PrintWriter(progress, true));
        List<SuitePlan.Skip> failed = report.skipped().stream().filter(s -> s.reason().startsWith("failed")).toList();
        assertEquals(2, failed.size(), progress.toString());
        for (SuitePlan.Skip f : failed) {
            assertEquals("toy_failing_norm", f.norm());
            assertEquals("fused", f.face());
            assertTrue(f.reason().contains("deliberate failure of toy_failing_norm's kernel"), f.reason());
        }
        // Its reference face and the other norm, after it in the same JVM, still have their rows.
        assertEquals(2, report.results().stream().filter(r -> r.norm().equals("toy_failing_norm")).count());
        assertEquals(4, report.results().stream().filter(r -> r.norm().equals("toy_row_norm")).count());
        assertTrue(ReportTable.text(report).contains("failed"), ReportTable.text(report));
    }

    @Test
    void aQuickRunHappensInOneForkedJvmAndComesBackAsAReport() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT64)).withThreads(List.of(2)).withFaces(List.of(Face.FUSED));
        SuitePlan plan = SuitePlan.of(REGISTRY, selection);
        StringWriter progress = new StringWriter();
        BenchReport report = SuiteRunner.run(plan, TINY, new PrintWriter(progress, true));
        assertEquals(plan.normCombos(), report.results().size(), progress.toString());
        assertTrue(report.machine().flags().contains("--add-modules=jdk.incubator.vector"), report.machine().flags());
        assertTrue(report.settings().contains("one forked JVM"), report.settings());
    }

    @Test
    void aFullRunForksAJvmPerBenchmarkWithTheVectorModule() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1)).withFaces(List.of(Face.FUSED))
                .withPasses(List.of(BenchPass.TRAIN_FORWARD_BACKWARD));
        SuitePlan plan = SuitePlan.of(REGISTRY, selection);
        StringWriter progress = new StringWriter();
        BenchReport report = SuiteRunner.run(plan, TINY.withForks(1), new PrintWriter(progress, true));
        assertEquals(plan.normCombos(), report.results().size(), progress.toString());
        assertTrue(report.machine().flags().startsWith("benchmark JVMs: --add-modules=jdk.incubator.vector"),
                report.machine().flags());
        assertTrue(report.results().stream().allMatch(r -> Double.isFinite(r.ratioToCopy())), report.toString());
    }
}
