package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;

/**
 * Runs real JMH benchmarks of the kernel suite, tiny ones (one 5 ms iteration each), end to end over the test-only
 * norms: in this JVM, in the benchmark JVM of a quick run, and with a JMH fork per benchmark. Nothing about speed is
 * asserted; the class takes a few seconds, most of it starting JVMs. (The training steps' runs:
 * {@link TrainingBenchmarkTest}.)
 */
class BenchRunnerTest {
    private static final RunSettings TINY = new RunSettings(0, Duration.ofMillis(1), 1, Duration.ofMillis(5), 0,
            RunSettings.forkJvmArgs(List.of()));
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    private static BenchReport runHere(BenchPlan plan, StringWriter progress) {
        return BenchRunner.runInThisJvm(plan, TINY, List.of(), new PrintWriter(progress, true), 0, plan.combos());
    }

    @Test
    void everyPlannedCombinationGetsARowWithItsCopyBaseline() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("batch_norm_toy", "toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1, 2));
        BenchPlan plan = BenchPlan.of(REGISTRY, selection);
        StringWriter progress = new StringWriter();
        BenchReport report = runHere(plan, progress);
        assertEquals(plan.rowCombos(), report.results().size(), progress.toString());
        for (BenchResult r : report.results()) {
            assertTrue(r.ms() > 0 && r.copyMs() > 0 && r.gbPerSecond() > 0, r.toString());
            assertEquals(r.ms() / r.copyMs(), r.ratioToCopy(), 1e-12);
            assertEquals(BenchKind.KERNEL, r.kind());
            assertEquals("none", r.mask());
        }
        assertEquals(plan.skipped(), report.skipped());
        assertTrue(progress.toString().contains("[" + plan.combos() + "/"), progress.toString());
    }

    @Test
    void maskedRowsComeFromTheSameRunAsTheUnmaskedOnes() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("group_norm"))
                .withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1)).withFaces(List.of(Face.FUSED))
                .withPasses(List.of(BenchPass.TRAIN_FORWARD)).withMasks(List.of(BenchMask.NONE, BenchMask.PADDED));
        // The real group_norm on a small shape of its own: its benchmark shapes are large for a test.
        BenchPlan plan = BenchPlan.kernel(List.of(TestProviders.withShapes(REGISTRY.get("group_norm"),
                List.of(Shape.of(4, 8, 16)))), selection);
        StringWriter progress = new StringWriter();
        BenchReport report = runHere(plan, progress);
        assertEquals(List.of("none", "padded"), report.results().stream().map(BenchResult::mask).sorted().toList(),
                progress.toString());
        assertTrue(progress.toString().contains(" fused padded t=1"), progress.toString());
        String table = ReportTable.markdown(report);
        assertTrue(table.contains("| × unmasked |") && table.contains("| padded |"), table);
    }

    @Test
    void aNormThatThrowsIsReportedFailedAndTheOthersStillRun() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("toy_failing_norm", "toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1)).withPasses(List.of(BenchPass.TRAIN_FORWARD));
        BenchPlan plan = BenchPlan.of(REGISTRY, selection);
        StringWriter progress = new StringWriter();
        BenchReport report = runHere(plan, progress);
        List<BenchPlan.Skip> failed = report.skipped().stream().filter(s -> s.reason().startsWith("failed")).toList();
        assertEquals(2, failed.size(), progress.toString());
        for (BenchPlan.Skip f : failed) {
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
    void aQuickRunHappensInABenchmarkJvmPerThreadCountAndComesBackAsOneReport() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT64)).withThreads(List.of(1, 2)).withFaces(List.of(Face.FUSED))
                .withPasses(List.of(BenchPass.EVAL_FORWARD));
        BenchPlan plan = BenchPlan.of(REGISTRY, selection);
        StringWriter progress = new StringWriter();
        BenchReport report = BenchRunner.run(plan, TINY, new PrintWriter(progress, true));
        assertEquals(plan.rowCombos(), report.results().size(), progress.toString());
        assertEquals(List.of(1, 1, 2, 2), report.results().stream().map(BenchResult::threads).toList());
        assertTrue(report.machine().flags().contains("--add-modules=jdk.incubator.vector"), report.machine().flags());
        assertTrue(report.settings().contains("one JVM per thread count"), report.settings());
        assertTrue(progress.toString().contains("[" + plan.combos() + "/" + plan.combos() + "]"), progress.toString());
    }

    @Test
    void aFullRunForksAJvmPerBenchmarkWithTheVectorModule() {
        BenchSelection selection = BenchSelection.all().withNorms(List.of("toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1)).withFaces(List.of(Face.FUSED))
                .withPasses(List.of(BenchPass.TRAIN_FORWARD_BACKWARD));
        BenchPlan plan = BenchPlan.of(REGISTRY, selection);
        StringWriter progress = new StringWriter();
        BenchReport report = BenchRunner.run(plan, TINY.withForks(1), new PrintWriter(progress, true));
        assertEquals(plan.rowCombos(), report.results().size(), progress.toString());
        assertTrue(report.machine().flags().startsWith("benchmark JVMs: --add-modules=jdk.incubator.vector"),
                report.machine().flags());
        assertTrue(report.results().stream().allMatch(r -> Double.isFinite(r.ratioToCopy())), report.toString());
    }

    /**
     * JMH refuses to start while another JMH run holds its lock, {@code java.io.tmpdir/jmh.lock}, unless told to
     * ignore it. A run's benchmark JVM has a temporary directory of its own, so it takes a lock of its own: with the
     * machine-wide lock held here (or by another run on the machine, which is the case this is about), and without
     * {@code -Djmh.ignoreLock}, the run still goes through, in a JMH fork as well.
     */
    @Test
    void aRunDoesNotWaitForTheLockOfAnotherJmhRunOnTheMachine() throws IOException {
        RunSettings withoutIgnoringTheLock = new RunSettings(0, Duration.ofMillis(1), 1, Duration.ofMillis(5), 1,
                List.of(RunSettings.VECTOR_MODULE));
        BenchPlan plan = BenchPlan.of(REGISTRY, BenchSelection.all().withNorms(List.of("toy_row_norm"))
                .withDtypes(List.of(DType.FLOAT32)).withThreads(List.of(1)).withFaces(List.of(Face.FUSED))
                .withPasses(List.of(BenchPass.TRAIN_FORWARD)));
        Path machineWide = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        try (FileChannel channel = FileChannel.open(machineWide, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            // null: another JMH run on the machine holds it, which is just as good for this test.
            FileLock held = channel.tryLock();
            try {
                StringWriter progress = new StringWriter();
                BenchReport report = BenchRunner.run(plan, withoutIgnoringTheLock, new PrintWriter(progress, true));
                assertEquals(plan.rowCombos(), report.results().size(), progress.toString());
                assertTrue(!progress.toString().contains("Another JMH instance"), progress.toString());
            } finally {
                if (held != null) {
                    held.release();
                }
            }
        }
    }

    @Test
    void eachBenchmarkJvmIsGivenATemporaryDirectoryOfItsOwn() {
        assertEquals("-Djava.io.tmpdir=/tmp/normkit-bench-1", SharedJvm.ownTemporaryDirectory(
                Path.of("/tmp/normkit-bench-1")));
    }
}
