package org.normkit.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;

/** The specification's worked example is a real file: it reads, and BatchNorm passes it on both faces. */
class ConformanceFormatDocTest {
    private static final Path SPEC = Path.of("../docs/conformance-format.md");
    private static final String MARKER = "<!-- conformance-example -->\n```json\n";

    static String exampleFile() throws IOException {
        String doc = Files.readString(SPEC);
        int start = doc.indexOf(MARKER);
        assertTrue(start >= 0, SPEC + " lacks its worked example after " + MARKER.trim());
        int from = start + MARKER.length();
        return doc.substring(from, doc.indexOf("```", from));
    }

    @Test
    void theWorkedExamplePassesOnBothFaces() throws IOException {
        ConformanceFile file = ConformanceReaderTest.read(exampleFile());
        ConformanceReport report = new ConformanceRunner(NormRegistry.loadDefault(), Optional.empty(), Face.BOTH)
                .runAll(file.cases());
        assertTrue(report.allPassed(), String.join("\n", report.lines()));
        assertEquals("1 passed, 0 failed", report.summaryLine());
    }

    @Test
    void aNormsOwnOptionsReachItsSpec() throws IOException {
        String withOptions = exampleFile().replace("\"momentum\": 0.1}",
                "\"momentum\": 0.1, \"options\": {\"rmax\": \"3\", \"warmup\": 100}}");
        ConformanceCase c = ConformanceReaderTest.read(withOptions).cases().get(0);
        assertEquals(Map.of("rmax", "3", "warmup", "100"), c.params().options());
        assertEquals(Map.of("rmax", "3", "warmup", "100"), ConformanceRunner.baseSpec(c).options());
    }
}
