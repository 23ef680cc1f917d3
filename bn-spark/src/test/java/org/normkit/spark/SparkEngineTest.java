package org.normkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.experiments.engine.LocalEngine;
import org.normkit.experiments.report.ResultsCsv;

/** The Spark engine on local[2]: one Spark context for the whole class, since starting one takes seconds. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkEngineTest {
    private JavaSparkContext context;
    private SparkEngine engine;

    @TempDir
    Path dir;

    @BeforeAll
    void startSpark() {
        context = new JavaSparkContext(new SparkConf().setAppName("normkit-test")
                .setMaster(SparkEngineProvider.withRetries("local[2]", "4")));
        engine = new SparkEngine(context, false, List.of());
    }

    @AfterAll
    void stopSpark() {
        context.stop();
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SameRows {
        @Test
        void theSameGridGivesIdenticalRowsOnSparkAndOnTheLocalEngine() throws IOException {
            Path data = SparkGrid.writeData(dir.resolve("data"));
            List<String> norms = List.of("none", "batch_norm");

            String console = SparkGrid.experiment(engine, SparkGrid.config(norms, 2, data, dir.resolve("spark")));
            SparkGrid.experiment(new LocalEngine(1), SparkGrid.config(norms, 2, data, dir.resolve("local")));

            assertTrue(console.contains("engine: spark, master local[2,4]"), console);
            assertEquals(4, SparkGrid.rowsWithoutTiming(dir.resolve("spark")).size());
            assertEquals(SparkGrid.rowsWithoutTiming(dir.resolve("local")),
                    SparkGrid.rowsWithoutTiming(dir.resolve("spark")));
        }

        @Test
        void aTextGridOfASequenceNetGivesIdenticalRowsOnSparkAndOnTheLocalEngine() throws IOException {
            Path text = SparkGrid.writeText(dir.resolve("corpus.txt"));
            List<String> norms = List.of("layer_norm", "group_norm:groups=2");

            SparkGrid.experiment(engine, SparkGrid.textConfig(norms, text, dir.resolve("spark-text")));
            SparkGrid.experiment(new LocalEngine(1), SparkGrid.textConfig(norms, text, dir.resolve("local-text")));

            assertEquals(4, SparkGrid.rowsWithoutTiming(dir.resolve("spark-text")).size());
            assertEquals(SparkGrid.rowsWithoutTiming(dir.resolve("local-text")),
                    SparkGrid.rowsWithoutTiming(dir.resolve("spark-text")));
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Failures {
        @Test
        void aTaskThatFailsIsRetriedBySparkAndItsRowsAppearOnce() throws IOException {
            Path data = SparkGrid.writeData(dir.resolve("data"));
            FlakyTestNorm.FAILURES_LEFT.set(1);

            String console = SparkGrid.experiment(engine, SparkGrid.config(List.of(FlakyTestNorm.FLAKY), 2, data,
                    dir.resolve("flaky")));

            assertEquals(0, FlakyTestNorm.FAILURES_LEFT.get(), "the failure happened");
            assertTrue(!console.contains(" failed: "), console);
            List<String> rows = SparkGrid.rowsWithoutTiming(dir.resolve("flaky"));
            assertEquals(2, rows.size(), rows.toString());
            assertEquals(2, rows.stream().map(r -> r.split(",")[7]).distinct().count(), "seeds 0 and 1, once each");
        }

        @Test
        void aRunThatKeepsFailingIsRecordedAsFailedWithSparksMessageAndTheOthersFinish() throws IOException {
            Path data = SparkGrid.writeData(dir.resolve("data"));
            Path out = dir.resolve("broken");

            String console = SparkGrid.experiment(engine, SparkGrid.config(List.of("none",
                    FlakyTestNorm.Broken.BROKEN), 1, data, out));

            assertTrue(console.contains("/" + FlakyTestNorm.Broken.BROKEN + " batch_size=32"), console);
            assertTrue(console.contains("failed: Spark gave up on it: Job aborted due to stage failure: Task 0 in "
                    + "stage"), console);
            assertTrue(console.contains("failed 4 times"), console);
            assertTrue(console.contains(FlakyTestNorm.MESSAGE + " (every attempt)"), console);
            assertEquals(1, SparkGrid.rowsWithoutTiming(out).size(), "the run of none");
            assertTrue(Files.readString(out.resolve("report.md")).contains("Spark gave up on it"));
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class DriverKilled {
        @Test
        void aDriverKilledMidSweepAndRestartedLosesAndRepeatsNoRow() throws Exception {
            Path data = SparkGrid.writeData(dir.resolve("data"));
            Path out = dir.resolve("killed");
            Path csv = out.resolve(ResultsCsv.FILE_NAME);
            Process driver = startDriver(data, out);
            try {
                // Kill -9 as soon as the first runs are in results.csv, while the others train.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (lineCount(csv) < 2 && driver.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(driver.isAlive() && lineCount(csv) >= 2, "the driver should be training with a run "
                        + "recorded; its log:\n" + Files.readString(dir.resolve("driver.log")));
            } finally {
                driver.destroyForcibly().waitFor();
            }
            int before = lineCount(csv) - 1;

            String console = SparkGrid.sweep(engine, SparkGrid.killTestConfig(data, out), SparkGrid.KILL_TEST_SIZES);

            assertTrue(before >= 1 && before < 4, "rows before the kill: " + before);
            assertTrue(console.contains((4 - before) + (before == 3 ? " run " : " runs ") + "to train"), console);
            List<String> rows = SparkGrid.rowsWithoutTiming(out);
            assertEquals(4, rows.size(), "2 batch sizes × 2 seeds, each once: " + rows);
            assertEquals(4, rows.stream().map(r -> String.join(",", List.of(r.split(",")).subList(0, 9))).distinct()
                    .count(), "no run and epoch twice: " + rows);
        }

        private Process startDriver(Path data, Path out) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("@" + Path.of("spark-java17.args").toAbsolutePath());
            command.add("--add-modules=jdk.incubator.vector");
            for (String property : List.of("spark.ui.enabled", "spark.driver.host", "spark.driver.bindAddress",
                    "log4j2.configurationFile")) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(SparkGrid.class.getName());
            command.add(data.toString());
            command.add(out.toString());
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("driver.log").toFile()).start();
        }

        private int lineCount(Path csv) throws IOException {
            return Files.exists(csv) ? Files.readAllLines(csv).size() : 0;
        }
    }
}
