package org.normkit.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.normkit.testkit.GoldenFiles;

/**
 * The PyTorch-made golden vectors of LayerNorm, InstanceNorm and GroupNorm, run through bn-core's conformance runner
 * on both faces, as {@code normkit conformance} runs them: every case of bn-variants' own
 * {@code conformance/variant-cases.json}, and every non-batch case of the shared public file
 * {@code shared/conformance/cases.json}, found by walking up from the working directory. The shared file may be
 * absent (the test is then skipped); a file that is present must pass entirely.
 */
class VariantGoldenCasesTest {
    private static final Set<String> VARIANTS = Set.of("layer", "instance", "group");

    @Test
    void everyCaseOfOurOwnVariantCasesPassesOnBothFaces() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/conformance/variant-cases.json")) {
            assertTrue(in != null, "conformance/variant-cases.json is missing from bn-variants' test resources");
            List<ConformanceCase> cases = ConformanceReader.read(in, "conformance/variant-cases.json").cases();
            assertEquals(20, cases.size(), "the PyTorch-made file has 20 cases");
            assertAllPass(cases);
        }
    }

    @Test
    void everyNonBatchCaseOfTheSharedPublicFilePassesOnBothFaces() {
        Optional<Path> shared = GoldenFiles.findUpwards(Path.of("").toAbsolutePath(),
                Path.of("shared", "conformance", "cases.json"));
        Assumptions.assumeTrue(shared.isPresent(), "shared/conformance/cases.json is not beside the checkout");
        List<ConformanceCase> variants = ConformanceReader.read(shared.get()).cases().stream()
                .filter(c -> !c.norm().equals("batch")).collect(Collectors.toList());
        assertTrue(variants.stream().allMatch(c -> VARIANTS.contains(c.norm())),
                "the shared file has a norm bn-variants does not serve: "
                        + variants.stream().map(ConformanceCase::norm).collect(Collectors.toSet()));
        assertTrue(variants.size() > 0, "the shared file has no layer, instance or group case");
        assertAllPass(variants);
    }

    private static void assertAllPass(List<ConformanceCase> cases) {
        ConformanceReport report = GoldenFiles.assertAllPass(cases);
        assertTrue(report.results().stream().allMatch(r -> r.faces().size() == 2),
                "every case must run on both faces:\n" + String.join("\n", report.lines()));
    }
}
