package org.normkit.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.normkit.autograd.spi.NormRegistry;
import org.normkit.core.conformance.ConformanceCase;
import org.normkit.core.conformance.ConformanceReader;
import org.normkit.core.conformance.ConformanceReport;
import org.normkit.core.conformance.ConformanceRunner;
import org.normkit.autograd.spi.Face;

/**
 * Golden conformance files in a norm's tests: read one from the test resources and require every case to pass on
 * both faces (a norm without a fused face is checked on its reference face, and the report says so). The format
 * is specified in {@code docs/conformance-format.md}; {@code scripts/pytorch/golden.py} writes such files for any
 * norm.
 *
 * <pre>{@code
 * @Test
 * void everyGoldenCasePasses() {
 *     GoldenFiles.assertAllPass(GoldenFiles.resource(getClass(), "/my-norm-cases.json"));
 * }
 * }</pre>
 */
public final class GoldenFiles {
    private GoldenFiles() {
    }

    /** The cases of a class-path resource; a missing resource fails the test, naming it. */
    public static List<ConformanceCase> resource(Class<?> anchor, String name) {
        try (InputStream in = anchor.getResourceAsStream(name)) {
            assertTrue(in != null, name + " is not on the test class path (src/test/resources" + name + ")");
            return ConformanceReader.read(in, name).cases();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the cases through the registry on both faces; fails with one line per case unless all pass. */
    public static ConformanceReport assertAllPass(List<ConformanceCase> cases) {
        ConformanceReport report = new ConformanceRunner(NormRegistry.loadDefault(), Optional.empty(), Face.BOTH)
                .runAll(cases);
        assertTrue(report.allPassed(), String.join("\n", report.lines()));
        return report;
    }

    /** {@code relative} resolved against {@code start} and each of its parents: the first that exists. */
    public static Optional<Path> findUpwards(Path start, Path relative) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
