package org.normkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.normkit.bench.versus.HeadToHeadReport;

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
        assertTrue(md.contains("| batch_norm2d | 32x64x56x56 | float32 | train_forward | fused | 1 | 4 | 2.00 |"), md);
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
    void unknownNumbersAreWrittenAsNull() throws IOException {
        BenchResult noCopy = new BenchResult("layer_norm", "8x64", "float64", "eval_forward", "fused", 1, 1.5, 0.1,
                Double.NaN, Double.NaN, 2, 0.01);
        JsonNode row = new ObjectMapper().readTree(ReportJson.toJson(Reports.report(List.of(noCopy))))
                .path("results").get(0);
        assertTrue(row.get("copyMs").isNull());
        assertTrue(row.get("ratioToCopy").isNull());
        BenchResult back = ReportJson.parse(ReportJson.toJson(Reports.report(List.of(noCopy))), BenchReport.class)
                .results().get(0);
        assertEquals(noCopy, back);
        assertTrue(Double.isNaN(back.copyMs()));
    }

    @Test
    void aJobReachesItsBenchmarkJvmUnchanged() {
        BenchJob kernels = new BenchJob.Kernels(BenchSelection.all().withNorms(List.of("layer_norm")),
                RunSettings.quick(List.of()));
        BenchJob training = new BenchJob.TrainingSteps(TrainingPlan.Selection.all().withNorms(List.of("none")),
                RunSettings.full(List.of()), 3, 8);
        for (BenchJob job : List.of(kernels, training)) {
            String json = ReportJson.toJson(job);
            assertEquals(job, ReportJson.parse(json, BenchJob.class), json);
        }
    }

    @Test
    void theHeadToHeadReportGoesThroughTheSameMapperAndReadsOlderNaNStrings() {
        HeadToHeadReport report = new HeadToHeadReport("2026-12-02", "abc", "Test CPU", "3 rounds",
                Map.of("pytorch", "1.13"), List.of(new HeadToHeadReport.Row("layer_norm", "32x128x768", "float32",
                        "train_forward", 1, Map.of("normkit", 1.5, "pytorch", Double.NaN), Map.of(), 0.5, 3.0,
                        "normkit copy ×1", Map.of())), List.of());
        String json = ReportJson.toJson(report);
        assertTrue(json.contains("\"pytorch\" : null"), json);
        assertEquals(report, ReportJson.parse(json, HeadToHeadReport.class));
        assertTrue(Double.isNaN(ReportJson.parse(json.replace("\"pytorch\" : null", "\"pytorch\" : \"NaN\""),
                HeadToHeadReport.class).rows().get(0).ms().get("pytorch")));
    }

    @Test
    void aFileWithoutResultsIsNotAReport() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ReportJson.parse("{\"machine\": {}}", BenchReport.class));
        assertTrue(e.getMessage().startsWith("not a BenchReport: ") && e.getMessage().contains("'results'"),
                e.getMessage());
    }
}
