package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {
    private static final List<String> ROW_MEMBERS = List.of("norm", "shape", "dtype", "pass", "face", "threads", "ms",
            "copyMs", "ratioToCopy");

    @TempDir
    Path dir;

    @Test
    void writesEveryMemberOfTheSharedSchema() throws IOException {
        Path file = dir.resolve("bench.json");
        ReportJson.write(file, Reports.report(List.of(Reports.row("batch_norm2d", "fused", 1, 4.0, 2.0))));
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        for (String m : List.of("cpu", "cores", "runtime", "flags", "date")) {
            assertTrue(root.path("machine").has(m), "machine." + m);
        }
        JsonNode row = root.path("results").get(0);
        for (String m : ROW_MEMBERS) {
            assertTrue(row.has(m), "results[0]." + m);
        }
        assertEquals("32x64x56x56", row.get("shape").asText());
        assertEquals(2.0, row.get("ratioToCopy").asDouble(), 0);
        assertEquals(1, row.get("threads").asInt());
        assertEquals(3, root.path("bytesModel").path("batch_norm*").path("train_forward").asInt());
        assertEquals("no fused face", root.path("skipped").get(0).path("reason").asText());
    }

    @Test
    void writesAtomicallyReplacingTheOldFileAndLeavingNoTemporaryOnes() throws IOException {
        Path file = dir.resolve("out/nested/bench.json");
        ReportJson.write(file, Reports.report(List.of()));
        ReportJson.write(file, Reports.report(List.of(Reports.row("layer_norm", "reference", 2, 1.0, 0.5))));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
        assertEquals(1, ReportJson.read(file, BenchReport.class).results().size());
    }

    @Test
    void theMarkdownReportIsWrittenAtomicallyToo() throws IOException {
        Path file = dir.resolve("bench.md");
        Files.writeString(file, "old");
        ReportTable.writeMarkdown(file, Reports.report(List.of(Reports.row("batch_norm2d", "fused", 1, 4.0, 2.0))));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        String md = Files.readString(file);
        assertTrue(md.startsWith("# normkit benchmark"), md);
        assertTrue(md.contains("| batch_norm2d | 32x64x56x56 | float32 | train_forward | fused | none | 1 | 4 | 2.00 |"), md);
    }

    @Test
    void roundTripKeepsRowsSkipsSpecsAndTheMachine() {
        BenchReport report = Reports.report(List.of(Reports.row("batch_norm2d", "fused", 1, 4.0, 2.0)));
        BenchReport back = ReportJson.parse(ReportJson.toJson(report), BenchReport.class);
        assertEquals(report.results(), back.results());
        assertEquals(report.skipped(), back.skipped());
        assertEquals(report.specs(), back.specs());
        assertEquals(report.machine(), back.machine());
    }

    @Test
    void unknownNumbersAreLeftOutOfARowAndReadBackAsNaN() throws IOException {
        BenchResult noCopy = BenchResult.kernel("layer_norm", "8x64", "float64", "eval_forward", "fused", "none", 1,
                1.5, 0.1, Double.NaN, 2, 0.01);
        JsonNode row = new ObjectMapper().readTree(ReportJson.toJson(Reports.report(List.of(noCopy))))
                .path("results").get(0);
        assertFalse(row.has("copyMs"), row.toString());
        assertFalse(row.has("ratioToCopy"), row.toString());
        assertEquals(1.5, row.get("ms").asDouble(), 0);
        BenchResult back = ReportJson.parse(ReportJson.toJson(Reports.report(List.of(noCopy))), BenchReport.class)
                .results().get(0);
        assertEquals(noCopy, back);
        assertTrue(Double.isNaN(back.copyMs()));
    }

    @Test
    void aJobReachesItsBenchmarkJvmUnchanged() {
        BenchJob kernels = new BenchJob(BenchSelection.all().withNorms(List.of("layer_norm"))
                .withMasks(List.of(BenchMask.NONE, BenchMask.PADDED)), RunSettings.quick(List.of()), 0, 4);
        BenchJob training = new BenchJob(BenchSelection.training().withNorms(List.of("none")),
                RunSettings.full(List.of()), 3, 8);
        for (BenchJob job : List.of(kernels, training)) {
            String json = ReportJson.toJson(job);
            assertEquals(job, ReportJson.parse(json, BenchJob.class), json);
        }
    }

    @Test
    void aHeadToHeadReportIsABenchReportWithPeersAndReadsOlderNaNStrings() {
        BenchReport report = new BenchReport(Reports.MACHINE.withLoad("1.0 1.0 1.0 at the start"), "abc", "3 rounds",
                null, 0, Map.of("pytorch", "1.13"), List.of(BenchResult.headToHead("layer_norm", "32x128x768",
                        "float32", "train_forward", "none", 1, 1.5, new BenchResult.PeerComparison(
                                Map.of("pytorch", Double.NaN), Map.of(), 0.5, 3.0, "normkit copy ×1", Map.of()))),
                List.of(), Map.of());
        String json = ReportJson.toJson(report);
        assertTrue(json.contains("\"pytorch\" : null"), json);
        assertTrue(!json.contains("copyMs") && !json.contains("threadsHook"), json);
        assertEquals(report, ReportJson.parse(json, BenchReport.class));
        BenchReport older = ReportJson.parse(json.replace("\"pytorch\" : null", "\"pytorch\" : \"NaN\""),
                BenchReport.class);
        assertTrue(Double.isNaN(older.results().get(0).comparison().peerMs().get("pytorch")));
        assertEquals(List.of(), report.results(BenchKind.KERNEL));
        assertEquals(1, report.results(BenchKind.HEAD_TO_HEAD).size());
    }

    @Test
    void aFileWithoutResultsIsNotAReport() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ReportJson.parse("{\"machine\": {}}", BenchReport.class));
        assertTrue(e.getMessage().startsWith("not a BenchReport: ") && e.getMessage().contains("'results'"),
                e.getMessage());
    }

    /** A training report as the training benchmark wrote it before the one report (docs/results/bench/training*.json). */
    private static final String EARLIER_TRAINING_REPORT = """
            {
              "machine" : { "cpu" : "AMD EPYC", "cores" : 2, "runtime" : "Java 17.0.15", "flags" : "f",
                            "date" : "2026-12-02T13:50:46Z" },
              "settings" : "JMH throughput, samples/s (128 per step); 1 fork per benchmark",
              "threadsHook" : "norm kernels: KernelThreads.set(threads) before each trial",
              "batch" : 128,
              "skipped" : [ { "net" : "lenet", "norm" : "batch_norm1d", "face" : "*", "reason" : "cannot" } ],
              "training" : [ {
                "net" : "mlp", "norm" : "none", "face" : "-", "threads" : 1,
                "samplesPerSecond" : 85468.26664263192, "samplesPerSecondError" : 21735.337160185976,
                "msPerStep" : 1.497631870027338, "samplesPerSecondMedian" : 89088.41638979975
              }, {
                "net" : "lenet", "norm" : "batch_norm", "face" : "fused", "threads" : 2,
                "samplesPerSecond" : 10749.5, "samplesPerSecondError" : null,
                "msPerStep" : 11.9, "samplesPerSecondMedian" : 10800.25
              } ]
            }
            """;

    @Test
    void theEarlierTrainingReportReadsAsTheOneReportWithEveryFigure() {
        BenchReport report = ReportJson.parse(EARLIER_TRAINING_REPORT, BenchReport.class);
        assertEquals(128, report.batch());
        assertEquals(2, report.results(BenchKind.TRAINING).size());
        BenchResult none = report.results().get(0);
        assertEquals(List.of("mlp", "none", "-", 1), List.of(none.net(), none.norm(), none.face(), none.threads()));
        assertEquals(85468.26664263192, none.samplesPerSecond(), 0);
        assertEquals(21735.337160185976, none.samplesPerSecondError(), 0);
        assertEquals(1.497631870027338, none.msPerStep(), 0);
        assertEquals(89088.41638979975, none.samplesPerSecondMedian(), 0);
        assertTrue(Double.isNaN(report.results().get(1).samplesPerSecondError()));
        assertEquals("lenet batch_norm1d", report.skipped().get(0).what());
        assertEquals("2026-12-02T13:50:46Z", report.machine().date());
        // Written again, it is the one report's schema, and reads back the same.
        String json = ReportJson.toJson(report);
        assertTrue(json.contains("\"results\"") && !json.contains("\"training\""), json);
        assertEquals(report, ReportJson.parse(json, BenchReport.class));
    }

    @Test
    void theEarlierKernelReportReadsWithItsRowsUnmasked() {
        String earlier = ReportJson.toJson(Reports.report(List.of(Reports.row("layer_norm", "fused", 1, 2.0, 1.0))))
                .replace("\"mask\" : \"none\",", "");
        assertFalse(earlier.contains("\"mask\" : \"none\""), earlier);
        BenchResult row = ReportJson.parse(earlier, BenchReport.class).results().get(0);
        assertEquals("none", row.maskOrNone());
        assertEquals(BenchKind.KERNEL, row.kind());
        assertEquals(2.0, row.ratioToCopy(), 0);
    }

    @Test
    void aTrainingRowHoldsTheTrainingMembersOnly() throws IOException {
        BenchResult step = BenchResult.training("mlp", "batch_norm", "fused", 1, 64000, 800, 64100, 128);
        BenchReport report = new BenchReport(Reports.MACHINE, "JMH throughput", "hook", 128, List.of(step), List.of(),
                Map.of());
        JsonNode root = new ObjectMapper().readTree(ReportJson.toJson(report));
        JsonNode row = root.path("results").get(0);
        List<String> members = new java.util.ArrayList<>();
        row.fieldNames().forEachRemaining(members::add);
        assertEquals(List.of("net", "norm", "face", "threads", "samplesPerSecond", "samplesPerSecondError",
                "msPerStep", "samplesPerSecondMedian"), members);
        assertEquals(2.0, row.get("msPerStep").asDouble(), 1e-12);
        assertFalse(root.has("bytesModel") || root.has("specs"), root.toString());
        assertEquals(report, ReportJson.parse(ReportJson.toJson(report), BenchReport.class));
    }
}
