package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.experiments.engine.EngineSettings;
import org.normkit.experiments.engine.Engines;
import org.normkit.experiments.engine.LocalEngine;
import org.normkit.experiments.engine.RowsWithoutTiming;
import org.normkit.experiments.replica.Replication;
import org.normkit.experiments.report.ExperimentReport;

/** The engine seen from the driver: what results.csv holds whichever engine and parallelism trained the grid. */
class EngineGridTest {
    @TempDir
    Path dir;

    static List<String> rowsWithoutTiming(Path out) throws IOException {
        return RowsWithoutTiming.of(out);
    }

    @Nested
    class Parallelism {
        @Test
        void resultsDoNotDependOnTheNumberOfParallelRuns() throws IOException {
            List<String> norms = List.of("none", "batch_norm");
            Path one = dir.resolve("one");
            Path three = dir.resolve("three");

            new TinyData.Console(TinyData.split(), new LocalEngine(1)).experiment(TinyData.config(norms, one));
            String console = new TinyData.Console(TinyData.split(), new LocalEngine(3))
                    .experiment(TinyData.config(norms, three));

            assertEquals(2 * 2 * 2, rowsWithoutTiming(one).size());
            assertEquals(rowsWithoutTiming(one), rowsWithoutTiming(three));
            assertTrue(console.contains("engine: local, 3 runs at a time; 4 runs to train"), console);
        }

        @Test
        void aRerunOnMoreThreadsSubmitsOnlyWhatIsMissing() throws IOException {
            Path out = dir.resolve("resume");
            new TinyData.Console().experiment(TinyData.config(List.of("none"), out));

            String console = new TinyData.Console(TinyData.split(), new LocalEngine(2))
                    .experiment(TinyData.config(List.of("none", "batch_norm"), out));

            assertEquals(2, console.lines().filter(l -> l.endsWith("skipped")).count(), console);
            assertTrue(console.contains("2 runs to train"), console);
            assertEquals(2 * 2 * 2, rowsWithoutTiming(out).size());
        }
    }

    @Nested
    class Workloads {
        @Test
        void textRunsGiveTheSameRowsWhateverTheParallelism() throws IOException {
            Path text = TinyData.writeText(dir.resolve("corpus.txt"));
            List<String> norms = List.of("layer_norm", "batch_norm:per_step=true");
            Path one = dir.resolve("one");
            Path two = dir.resolve("two");

            new TinyData.Console(TinyData.split(), new LocalEngine(1))
                    .experiment(TinyData.textConfig("lstm", norms, text, one));
            String console = new TinyData.Console(TinyData.split(), new LocalEngine(2))
                    .experiment(TinyData.textConfig("lstm", norms, text, two));

            assertEquals(2 * 2, rowsWithoutTiming(one).size());
            assertEquals(rowsWithoutTiming(one), rowsWithoutTiming(two));
            assertTrue(console.contains("characters/s, test ") && console.contains("bits per character"), console);
        }

        @Test
        void aSequenceNetReadsImagesRowByRowOnTheEngine() throws IOException {
            Path out = dir.resolve("transformer");
            ExperimentConfig config = new ExperimentConfig("transformer", List.of("layer_norm"), 1, 32,
                    OptionalDouble.empty(), Optional.empty(), 0, 0, 1, Optional.empty(), out, 1, Face.AUTO,
                    Optional.of(64), Optional.of(32));

            String console = new TinyData.Console(TinyData.split(), new LocalEngine(2)).experiment(config);

            assertEquals(1, rowsWithoutTiming(out).size(), console);
            assertTrue(rowsWithoutTiming(out).get(0).startsWith("transformer,layer_norm,"), console);
        }

        @Test
        void textWithReplicasIsRefusedBeforeAnythingTrains() throws IOException {
            Path text = TinyData.writeText(dir.resolve("corpus.txt"));
            ExperimentRunner runner = new TinyData.Console().runner().withReplication(new Replication(2, false));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> runner.experiment(
                    TinyData.textConfig("lstm", List.of("layer_norm"), text, dir.resolve("replicas"))));

            assertTrue(e.getMessage().startsWith("--text with --replicas 2 is not supported"), e.getMessage());
            assertTrue(!Files.exists(dir.resolve("replicas").resolve("results.csv")));
        }
    }

    @Nested
    class Failures {
        /** The default norms and {@link FailingTestNorm}, whose service line lives in src/test/failing-norm. */
        private final NormRegistry withFailingNorm = NormRegistry.load(new URLClassLoader(new URL[] {
            url(Path.of("src", "test", "failing-norm"))}, EngineGridTest.class.getClassLoader()));

        private static URL url(Path folder) {
            try {
                return folder.toAbsolutePath().toUri().toURL();
            } catch (java.net.MalformedURLException e) {
                throw new AssertionError(e);
            }
        }

        @Test
        void aRunThatThrowsIsRecordedAsFailedWithItsMessageAndTheOthersFinish() throws IOException {
            Path out = dir.resolve("failing");

            String console = new TinyData.Console(withFailingNorm, TinyData.split(), new LocalEngine(2))
                    .experiment(TinyData.config(List.of("none", FailingTestNorm.NAME), out));

            assertTrue(console.contains("/" + FailingTestNorm.NAME + " batch_size=32 lr=0.001 adam weight_decay=0 "
                    + "dropout=0 seed=0 failed: IllegalStateException: " + FailingTestNorm.MESSAGE), console);
            assertEquals(2 * 2, rowsWithoutTiming(out).size(), "the runs of none, each epoch once");
            assertTrue(rowsWithoutTiming(out).stream().allMatch(line -> line.startsWith("mlp,none,")));
            String report = Files.readString(out.resolve(ExperimentReport.MARKDOWN_FILE));
            assertTrue(report.contains(FailingTestNorm.MESSAGE), report);
        }

        @Test
        void aFailedRunIsTriedAgainByTheNextRerun() {
            Path out = dir.resolve("again");
            new TinyData.Console(withFailingNorm, TinyData.split(), new LocalEngine(1))
                    .experiment(TinyData.config(List.of(FailingTestNorm.NAME), out));

            String console = new TinyData.Console(withFailingNorm, TinyData.split(), new LocalEngine(1))
                    .experiment(TinyData.config(List.of(FailingTestNorm.NAME), out));

            assertTrue(console.contains("2 runs to train"), console);
        }
    }

    @Nested
    class Choosing {
        @Test
        void sparkWithoutItsModuleSaysWhatToAdd() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Engines.loadDefault().create("spark", EngineSettings.defaults()));

            assertTrue(e.getMessage().startsWith("--engine spark: the Spark engine is not on the class path. It is "
                    + "the bn-spark module"), e.getMessage());
        }

        @Test
        void anUnknownEngineListsTheKnownOnes() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Engines.loadDefault().create("ray", EngineSettings.defaults()));

            assertEquals("--engine ray is not an engine; known: local, and spark with the bn-spark module",
                    e.getMessage());
        }

        @Test
        void theLocalEngineIsBoundByItsModuleWithTheParallelismAskedFor() {
            LocalEngine engine = (LocalEngine) Engines.loadDefault().create("local", new EngineSettings(3, Optional.empty(),
                    List.of()));

            assertEquals(3, engine.parallel());
        }

        @Test
        void aMasterIsRefusedByTheLocalEngine() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engines.loadDefault().create("local",
                    new EngineSettings(1, Optional.of("local[2]"), List.of())));

            assertTrue(e.getMessage().startsWith("--master local[2] is for --engine spark"), e.getMessage());
        }
    }
}
