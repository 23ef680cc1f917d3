package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.ResultsCsv;

import picocli.CommandLine;

/** {@code normkit experiment} on tiny IDX data written by the test; the training itself is tested in bn-experiments. */
class ExperimentCommandTest {
    @TempDir
    static Path shared;
    static Path data;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeTinyData() throws IOException {
        data = TinyIdx.write(Files.createDirectory(shared.resolve("data")), 256, 100);
    }

    private static ExperimentCommand parse(String... args) {
        CommandLine.ParseResult parsed = new CommandLine(new NormkitCommand()).parseArgs(args);
        return (ExperimentCommand) parsed.subcommand().commandSpec().userObject();
    }

    private List<String> tinyRun(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("experiment", "--data", data.toString(), "--norms",
                "none,batch_norm", "--batch-size", "32", "--seeds", "1", "--no-progress", "--out", out.toString()));
        args.addAll(Arrays.asList(more));
        return args;
    }

    @Nested
    class Options {

        @Test
        void withNoOptionsItComparesTheFourNormsOnTheMlpIntoNormkitRunsExperiment() {
            var config = parse("experiment").options.toConfig(ExperimentCommand.DEFAULT_OUT);

            assertEquals("mlp", config.net());
            assertEquals(List.of("none", "batch_norm", "layer_norm", "group_norm"), config.norms());
            assertEquals(10, config.epochs());
            assertEquals(5, config.seeds());
            assertEquals(Path.of("normkit-runs", "experiment"), config.out());
        }

        @Test
        void normsGivenOnTheCommandLineReplaceTheDefaults() {
            assertEquals(List.of("batch_norm"),
                    parse("experiment", "--norms", "batch_norm").options.toConfig(ExperimentCommand.DEFAULT_OUT).norms());
        }

        @Test
        void seedsCountsSeedsFromZero() {
            assertEquals(3, parse("experiment", "--seeds", "3").options.toConfig(ExperimentCommand.DEFAULT_OUT).seeds());
        }
    }

    @Test
    void runsEveryNormOnTheGivenDataAndEndsWithWhereTheReportIs() {
        Path out = dir.resolve("run");

        TinyIdx.Result r = TinyIdx.run(tinyRun(out, "--epochs", "2").toArray(String[]::new));

        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("data: 256 training and 100 test images"), r.out());
        assertEquals("report: " + out.resolve("report.md").toAbsolutePath()
                + " (also report.html, accuracy.png, loss.png, results.csv)", lines[lines.length - 1]);
        for (String file : List.of("report.md", "report.html", "accuracy.png", "loss.png", "results.csv")) {
            assertTrue(Files.exists(out.resolve(file)), file);
        }
    }

    @Test
    void aTruncatedIdxFileIsOneErrorLineNamingTheFileWithExitCode1() throws IOException {
        Path broken = TinyIdx.write(Files.createDirectory(dir.resolve("broken")), 64, 20);
        Path images = broken.resolve(TinyIdx.TRAIN_IMAGES);
        byte[] whole = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(whole, whole.length / 2));

        TinyIdx.Result r = TinyIdx.run("experiment", "--data", broken.toString(), "--norms", "none",
                "--no-progress", "--out", dir.resolve("out").toString());

        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("normkit: error: "), r.err());
        assertTrue(r.err().contains(images.toString()) && r.err().contains("truncated"), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void anUnknownNormIsOneErrorLineListingTheRegisteredOnes() {
        TinyIdx.Result r = TinyIdx.run("experiment", "--data", data.toString(), "--norms", "none,no_such_norm",
                "--no-progress", "--out", dir.resolve("out").toString());

        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("unknown normalization 'no_such_norm'; registered: "), r.err());
    }

    /**
     * kill -9 in the middle of a run: results.csv is rewritten atomically after every epoch, so what is on disk
     * parses, and the rerun redoes the interrupted run from its first epoch and skips the finished ones.
     */
    @Test
    void aRunKilledWithSigkillLeavesReadableResultsAndTheRerunCompletesThem() throws Exception {
        Path out = dir.resolve("killed");
        Path csv = out.resolve(ResultsCsv.FILE_NAME);
        List<String> args = tinyRun(out, "--epochs", "40");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules=jdk.incubator.vector", "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), Normkit.class.getName()));
        command.addAll(args);
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            // The loop leaves as soon as the first epoch is on disk (a second or two on a quiet machine); the
            // deadline only bounds a hung child. 30 s was too short at load 30, where the child's start-up and
            // first epoch alone took longer and the test then failed for want of a row, not for a torn file.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (rowsOnDisk(csv) < 1 && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(child.isAlive(), "the child ended before it could be killed; log:\n"
                    + Files.readString(dir.resolve("child.log")));
            assertTrue(rowsOnDisk(csv) >= 1, "no epoch on disk within 240 s; log:\n"
                    + Files.readString(dir.resolve("child.log")));
            child.destroyForcibly();  // SIGKILL on Linux: no shutdown hooks, no finally blocks
            child.waitFor(10, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }

        List<String> warnings = new ArrayList<>();
        List<ResultRow> left = ResultsCsv.read(csv, warnings::add);
        assertTrue(warnings.isEmpty(), warnings.toString());
        assertTrue(left.size() >= 1 && left.size() < 80, left.size() + " rows");

        TinyIdx.Result rerun = TinyIdx.run(args.toArray(String[]::new));

        assertEquals(0, rerun.code(), rerun.err());
        List<ResultRow> rows = ResultsCsv.read(csv, warnings::add);
        assertEquals(80, rows.size());
        for (String norm : List.of("none", "batch_norm")) {
            assertEquals(java.util.stream.IntStream.rangeClosed(1, 40).boxed().collect(Collectors.toList()),
                    rows.stream().filter(row -> row.key().config().norm().equals(norm)).map(ResultRow::epoch)
                            .collect(Collectors.toList()), norm);
        }
        assertTrue(Files.exists(out.resolve("report.md")));
    }

    private static long rowsOnDisk(Path csv) throws IOException {
        if (!Files.exists(csv)) {
            return 0;
        }
        return Math.max(0, Files.readAllLines(csv).size() - 1);
    }
}
