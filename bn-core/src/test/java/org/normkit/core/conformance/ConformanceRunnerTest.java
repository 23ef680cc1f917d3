package org.normkit.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.core.conformance.ConformanceRuns.REGISTRY;
import static org.normkit.core.conformance.ConformanceRuns.withShape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;

class ConformanceRunnerTest {
    private static ConformanceReport run(String json, Optional<String> norm, List<Face> faces) {
        return ConformanceRuns.run(REGISTRY, json, norm, faces);
    }

    @Test
    void theWorkedExamplePassesOnBothFaces() {
        ConformanceReport report = run(ConformanceReaderTest.workedExample(), Optional.empty(), Face.BOTH);
        assertTrue(report.allPassed(), String.join("\n", report.lines()));
        assertEquals("3 passed, 0 failed", report.lines().get(report.lines().size() - 1));
        CaseResult first = report.results().get(0);
        assertEquals("batch_norm1d", first.provider());
        assertEquals(2, first.faces().size());
        assertTrue(first.line().startsWith("PASS bn-worked-example [batch_norm1d, reference+fused] worst "),
                first.line());
    }

    @Test
    void aWrongExpectedValueFailsNamingTensorIndexValuesAndTolerance() {
        String json = ConformanceReaderTest.workedExample().replaceFirst("1.4310627551036947", "1.4310637551036947");
        ConformanceReport report = run(json, Optional.empty(), Face.BOTH);
        assertEquals("2 passed, 1 failed", report.summaryLine());
        String line = report.results().get(0).line();
        assertTrue(line.startsWith("FAIL bn-worked-example [batch_norm1d, reference+fused] reference face: "
                + "gradInput: worst at [0, 0]: actual 1.431062755103694"), line);
        assertTrue(line.contains("expected 1.4310637551036947 (tolerance abs 1.0E-9, rel 1.0E-7"), line);
        assertTrue(line.contains("fused face: gradInput"), line);
    }

    @Test
    void aWrongCountFailsExactly() {
        String json = ConformanceReaderTest.workedExample().replaceFirst("\"numBatchesTracked\": 1", "\"numBatchesTracked\": 2");
        String line = run(json, Optional.empty(), List.of(Face.FUSED)).results().get(0).line();
        assertTrue(line.startsWith("FAIL bn-worked-example [batch_norm1d, fused] fused face: numBatchesTracked: "
                + "worst at []: actual 1.0, expected 2.0"), line);
    }

    @Test
    void aNormNoProviderServesIsUnservedAndCountsAsFailed() {
        String json = ConformanceReaderTest.workedExample().replaceFirst("\"norm\": \"batch\"", "\"norm\": \"layer\"");
        ConformanceReport report = run(json, Optional.empty(), Face.BOTH);
        assertEquals("2 passed, 1 failed", report.summaryLine());
        assertEquals(CaseResult.Status.UNSERVED, report.results().get(0).status());
        assertEquals("UNSERVED bn-worked-example: no registered norm serves norm 'layer' (looked for layer_norm); "
                + "registered: " + String.join(", ", REGISTRY.names()), report.results().get(0).line());
    }

    @Test
    void anExplicitNormOverridesTheFamily() {
        ConformanceReport report = run(ConformanceReaderTest.workedExample(), Optional.of("batch_norm"), List.of(Face.REFERENCE));
        assertTrue(report.allPassed(), String.join("\n", report.lines()));
        assertEquals("batch_norm", report.results().get(0).provider());
        assertEquals(1, report.results().get(0).faces().size());
        ConformanceReport wrong = run(ConformanceReaderTest.workedExample(), Optional.of("batch_norm2d"), Face.BOTH);
        assertTrue(wrong.results().get(0).line().startsWith("FAIL bn-worked-example [batch_norm2d] cannot build the "
                + "layer: batch_norm2d cannot take an input of shape (4, 1)"), wrong.results().get(0).line());
    }

    @Test
    void nullsMustMatchNulls() {
        // The case claims no weight gradient although the layer is affine: producing one is a failure.
        String json = ConformanceReaderTest.workedExample().replaceFirst("\"gradWeight\": \\{[^}]*\\}",
                "\"gradWeight\": null");
        String line = run(json, Optional.empty(), List.of(Face.REFERENCE)).results().get(0).line();
        assertTrue(line.contains("gradWeight: produced one, but the case expects none"), line);
    }

    @Test
    void writesTheResultsAsJson(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("results/conformance.json");
        run(ConformanceReaderTest.workedExample(), Optional.empty(), Face.BOTH).writeJson(out);
        JsonNode root = new ObjectMapper().readTree(out.toFile());
        assertEquals(3, root.get("passed").asInt());
        assertEquals("passed", root.get("cases").get(0).get("status").asText());
        assertEquals("fused", root.get("cases").get(0).get("faces").get(1).get("face").asText());
        try (var files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "no temporary file is left behind");
        }
    }

    /** A norm with only a reference face, registered through a service file of its own. */
    public static final class ReferenceOnlyProvider extends ConformanceRuns.BatchNormWithAnotherFusedFace {
        public ReferenceOnlyProvider() {
            super("reference_only_batch_norm", "BatchNorm without a fused face (a test double)");
        }

        @Override
        Optional<FusedNorm> fusedFace(FusedNorm own) {
            return Optional.empty();
        }
    }

    @Test
    void aNormWithoutAFusedFaceIsCheckedOnItsReferenceFaceAndSaysSo(@TempDir Path dir) throws IOException {
        try (ConformanceRuns.PluginRegistry plugin = ConformanceRuns.withProvider(dir, ReferenceOnlyProvider.class)) {
            ConformanceReport report = ConformanceRuns.run(plugin.registry(), ConformanceReaderTest.workedExample(),
                    Optional.of("reference_only_batch_norm"), Face.BOTH);
            assertTrue(report.allPassed(), String.join("\n", report.lines()));
            CaseResult r = report.results().get(0);
            assertEquals(1, r.faces().size());
            assertTrue(r.line().endsWith("; reference_only_batch_norm has no fused face: checked on the reference "
                    + "face only"), r.line());
            assertFalse(r.line().contains("fused]"));
        }
    }

    @Test
    void theFamilyAndRankPickTheProvider() {
        ConformanceRunner runner = new ConformanceRunner(REGISTRY, Optional.empty(), Face.BOTH);
        ConformanceCase worked = ConformanceReaderTest.read(ConformanceReaderTest.workedExample()).cases().get(0);
        assertEquals("batch_norm1d", runner.providerFor(worked));
        assertEquals("batch_norm2d", runner.providerFor(withShape(worked, "batch", 2, 1, 2, 1)));
        assertEquals("batch_norm3d", runner.providerFor(withShape(worked, "batch", 2, 1, 1, 2, 1)));
        assertEquals("instance_norm2d", runner.providerFor(withShape(worked, "instance", 2, 1, 2, 1)));
        assertEquals("layer_norm", runner.providerFor(withShape(worked, "layer", 4, 1)));
        assertEquals("group_norm", runner.providerFor(withShape(worked, "group", 4, 1)));
        assertEquals("my_norm", runner.providerFor(withShape(worked, "my_norm", 4, 1)));
    }
}
