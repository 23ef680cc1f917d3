package org.normkit.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import static org.normkit.core.conformance.ConformanceRuns.REGISTRY;
import static org.normkit.core.conformance.ConformanceRuns.run;
import static org.normkit.core.conformance.ConformanceRuns.withShape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Tensor;

/**
 * What a conformance run decides and reports beyond {@code ConformanceRunnerTest}: each face is run on its own face
 * (a bug in one face fails that face alone), every expected tensor is compared, the provider of every rank of the
 * batch and instance families, the report's lines and JSON with notes and problems, and the reader's edges (tolerance
 * bounds, optional texts, abbreviated values in messages, case numbers).
 */
class ConformanceVerdictsTest {
    private static String worked() {
        return ConformanceReaderTest.workedExample();
    }

    /** The worked example with the first value after {@code member} (in the first case) replaced. */
    private static String withFirstValueAfter(String member, String value, String replacement) {
        String json = worked();
        int at = json.indexOf(value, json.indexOf("\"" + member + "\""));
        return json.substring(0, at) + replacement + json.substring(at + value.length());
    }

    /** BatchNorm whose fused face adds 1 to its output: a bug in one face only. */
    public static final class SkewedFusedProvider extends ConformanceRuns.BatchNormWithAnotherFusedFace {
        public SkewedFusedProvider() {
            super("skewed_fused_batch_norm", "BatchNorm whose fused output is off by one (a test double)");
        }

        @Override
        Optional<FusedNorm> fusedFace(FusedNorm own) {
            return Optional.of(new FusedNorm() {
                @Override
                public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
                    Saved saved = own.forward(x, gamma, beta, use, out);
                    out.copyFrom(out.add(1.0));
                    return saved;
                }

                @Override
                public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
                    return own.backward(gradOutput, x, saved, gamma, mask);
                }
            });
        }
    }

    @Nested
    class Runner {
        @Test
        void eachFaceRunsOnItsOwnFaceSoABugInOneFailsThatOneAlone(@TempDir Path dir) throws IOException {
            try (ConformanceRuns.PluginRegistry plugin = ConformanceRuns.withProvider(dir, SkewedFusedProvider.class)) {
                ConformanceReport report = run(plugin.registry(), worked(),
                        Optional.of("skewed_fused_batch_norm"), Face.BOTH);
                CaseResult r = report.results().get(0);
                assertTrue(r.faces().get(0).passed(), r.line());
                assertFalse(r.faces().get(1).passed(), r.line());
                assertTrue(r.line().startsWith("FAIL bn-worked-example [skewed_fused_batch_norm, reference+fused] "
                        + "fused face: output: worst at"), r.line());
                assertFalse(r.line().contains("reference face:"), r.line());
                assertFalse(r.line().endsWith(";"), r.line());
                assertFalse(report.allPassed());
            }
        }

        @Test
        void aWrongBiasGradientFails() {
            String json = withFirstValueAfter("gradBias", "3.0", "3.5");
            ConformanceReport report = run(REGISTRY, json, Optional.empty(), List.of(Face.REFERENCE));
            String line = report.results().get(0).line();
            assertTrue(line.startsWith("FAIL bn-worked-example [batch_norm1d, reference] reference face: gradBias: "
                    + "worst at [0]: actual 3.0, expected 3.5"), line);
            assertFalse(report.allPassed());
        }

        @Test
        void everyRankOfTheBatchAndInstanceFamiliesPicksItsProvider() {
            ConformanceRunner runner = new ConformanceRunner(REGISTRY, Optional.empty(), Face.BOTH);
            ConformanceCase worked = ConformanceReaderTest.read(worked()).cases().get(0);
            assertEquals("batch_norm1d", runner.providerFor(withShape(worked, "batch", 2, 1, 2)));
            assertEquals("batch_norm", runner.providerFor(withShape(worked, "batch", 2, 1, 1, 1, 1, 2)));
            assertEquals("instance_norm", runner.providerFor(withShape(worked, "instance", 4, 1)));
            assertEquals("instance_norm1d", runner.providerFor(withShape(worked, "instance", 2, 1, 2)));
            assertEquals("instance_norm3d", runner.providerFor(withShape(worked, "instance", 2, 1, 1, 2, 1)));
            assertEquals("instance_norm", runner.providerFor(withShape(worked, "instance", 2, 1, 1, 1, 1, 2)));
        }
    }

    @Nested
    class Report {
        @Test
        void aPassLineGivesTheLargestShareOfTheToleranceUsed() {
            // The float32 case cannot match 60-digit values exactly: some share of its tolerance is used.
            ConformanceReport report = run(REGISTRY, worked(), Optional.empty(), Face.BOTH);
            CaseResult float32 = report.results().get(2);
            double worst = Math.max(float32.faces().get(0).worstUsage(), float32.faces().get(1).worstUsage());
            assertTrue(worst > 0, float32.line());
            assertTrue(float32.line().contains(" worst " + String.format(Locale.ROOT, "%.2g", worst)
                    + " of the tolerance"), float32.line());
        }

        @Test
        void itsLinesAreOnePerCaseThenTheSummary() {
            ConformanceReport report = run(REGISTRY, worked(), Optional.empty(), Face.BOTH);
            List<String> lines = report.lines();
            assertEquals(4, lines.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(report.results().get(i).line(), lines.get(i));
            }
            assertEquals("3 passed, 0 failed", lines.get(3));
            assertTrue(report.allPassed());
        }

        @Test
        void theJsonCarriesEachCasesNotesAndEachFacesProblems(@TempDir Path dir) throws IOException {
            String json = worked().replaceFirst("\"gradWeight\": \\{[^}]*\\}", "\"gradWeight\": null")
                    .replaceFirst("\"norm\": \"batch\"", "\"norm\": \"no_such_norm\"");
            // The first case is unserved (a note), the others ran; null gradWeight is only in the first case, so
            // plant a problem in the second one too.
            String second = json.replaceFirst("\"norm\": \"no_such_norm\"", "\"norm\": \"batch\"");
            Path out = dir.resolve("conformance.json");
            ConformanceReport unserved = run(REGISTRY, json, Optional.empty(), List.of(Face.REFERENCE));
            unserved.writeJson(out);
            JsonNode root = new ObjectMapper().readTree(out.toFile());
            assertTrue(root.get("cases").get(0).get("notes").get(0).asText().startsWith("no registered norm serves "
                    + "norm 'no_such_norm'"), root.toString());

            run(REGISTRY, second, Optional.empty(), List.of(Face.REFERENCE)).writeJson(out);
            JsonNode problems = new ObjectMapper().readTree(out.toFile()).get("cases").get(0).get("faces").get(0)
                    .get("problems");
            assertEquals("gradWeight: produced one, but the case expects none", problems.get(0).asText());
        }
    }

    @Nested
    class Reader {
        private String error(String json) {
            return assertThrows(ConformanceFormatException.class, () -> ConformanceReaderTest.read(json)).getMessage();
        }

        @Test
        void aZeroToleranceIsAllowedAndANegativeOneIsNot() {
            String exact = worked().replaceFirst("\"abs\": 1e-09", "\"abs\": 0").replaceFirst("\"rel\": 1e-07",
                    "\"rel\": 0");
            ConformanceCase c = ConformanceReaderTest.read(exact).cases().get(0);
            assertEquals(0, c.tolerance().abs());
            assertEquals(0, c.tolerance().rel());
            assertEquals("cases.json: case 'bn-worked-example': member 'tolerance' has abs 1.0E-9 and rel -1.0: both "
                    + "must be >= 0", error(worked().replaceFirst("\"rel\": 1e-07", "\"rel\": -1")));
            assertEquals("cases.json: case 'bn-worked-example': member 'tolerance' has abs -1.0 and rel 1.0E-7: both "
                    + "must be >= 0", error(worked().replaceFirst("\"abs\": 1e-09", "\"abs\": -1")));
        }

        @Test
        void anOptionalTextMayBeNullOrANumberWrittenOut() {
            String generator = "\"generator\": \"normkit bn-core test resource: worked example (x = [1, 2, 3, 4], "
                    + "gamma 2, beta 1), computed by hand in 60-digit decimal arithmetic\"";
            assertTrue(worked().contains(generator));
            assertNull(ConformanceReaderTest.read(worked().replace(generator, "\"generator\": null")).generator());
            assertEquals("5", ConformanceReaderTest.read(worked().replace(generator, "\"generator\": 5")).generator());
            assertTrue(ConformanceReaderTest.read(worked()).generator().startsWith("normkit bn-core test resource"));
        }

        @Test
        void aCaseWithoutANameIsNamedByItsNumberCountingFromOne() {
            String json = worked().replaceFirst("\"name\": \"bn-worked-example\",", "");
            assertEquals("cases.json: case #1: member 'name' is missing", error(json));
        }

        @Test
        void aFileIsReadFromItsPath(@TempDir Path dir) throws IOException {
            Path file = dir.resolve("cases.json");
            Files.writeString(file, worked());
            ConformanceFile read = ConformanceReader.read(file);
            assertEquals(file.toString(), read.source());
            assertEquals(3, read.cases().size());
        }

        @Test
        void aCaseThatIsNotAnObjectIsNamedByItsNumber() {
            String json = worked().replaceFirst("\"cases\": \\[", "\"cases\": [7, ");
            assertEquals("cases.json: case #1 is not an object", error(json));
        }

        @Test
        void aLongWrongValueIsAbbreviatedInTheMessage() {
            String sixty = "\"" + "a".repeat(58) + "\"";
            assertEquals("cases.json: member 'cases' must be an array, got " + sixty,
                    error(worked().replaceFirst("\"cases\": \\[", "\"cases\": " + sixty + ", \"ignored\": [")));
            String longer = "\"" + "a".repeat(59) + "\"";
            assertEquals("cases.json: member 'cases' must be an array, got " + longer.substring(0, 57) + "...",
                    error(worked().replaceFirst("\"cases\": \\[", "\"cases\": " + longer + ", \"ignored\": [")));
        }
    }
}
