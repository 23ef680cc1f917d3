package org.normkit.core.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;

/**
 * The PyTorch-made golden vectors: every case of bn-core's own {@code conformance/batch-cases.json} (when it is
 * there), and every batch case of the shared public file {@code shared/conformance/cases.json}, found by walking up
 * from the working directory (the repository is checked out with {@code shared/} beside it). A file that is absent
 * skips its test; a file that is present must pass entirely, on both faces.
 */
class GoldenCasesTest {
    private static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    @Test
    void everyCaseOfOurOwnBatchCasesPasses() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/conformance/batch-cases.json")) {
            Assumptions.assumeTrue(in != null, "conformance/batch-cases.json is not generated yet");
            assertAllPass(ConformanceReader.read(in, "conformance/batch-cases.json").cases());
        }
    }

    @Test
    void everyBatchCaseOfTheSharedPublicFilePasses() {
        Optional<Path> shared = findUpwards(Path.of("").toAbsolutePath(), Path.of("shared", "conformance", "cases.json"));
        Assumptions.assumeTrue(shared.isPresent(), "shared/conformance/cases.json is not beside the checkout");
        List<ConformanceCase> batch = ConformanceReader.read(shared.get()).cases().stream()
                .filter(c -> c.norm().equals("batch")).collect(Collectors.toList());
        assertTrue(batch.size() > 0, "the shared file has no batch case");
        assertAllPass(batch);
    }

    @Test
    void ourHandMadeWorkedExamplePasses() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/conformance/bn-worked-example.json")) {
            assertAllPass(ConformanceReader.read(in, "conformance/bn-worked-example.json").cases());
        }
    }

    private static void assertAllPass(List<ConformanceCase> cases) {
        ConformanceReport report = new ConformanceRunner(REGISTRY, Optional.empty(), Face.BOTH).runAll(cases);
        assertTrue(report.allPassed(), String.join("\n", report.lines()));
    }

    /** {@code relative} resolved against {@code start} and each of its parents, the first that exists. */
    static Optional<Path> findUpwards(Path start, Path relative) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
