package org.example.rmsnorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.core.conformance.CaseResult;
import org.normkit.core.conformance.ConformanceCase;
import org.normkit.core.conformance.ConformanceReader;
import org.normkit.core.conformance.ConformanceReport;
import org.normkit.core.conformance.ConformanceRunner;
import org.normkit.autograd.spi.Face;

/** The golden vectors made with PyTorch ops (scripts/make_rms_golden.py), through normkit's own runner. */
class RmsNormConformanceTest {

    @Test
    void everyGoldenCasePassesOnBothFaces() throws IOException {
        List<ConformanceCase> cases;
        try (InputStream in = getClass().getResourceAsStream("/rms-norm-cases.json")) {
            cases = ConformanceReader.read(in, "rms-norm-cases.json").cases();
        }
        ConformanceReport report = new ConformanceRunner(NormRegistry.loadDefault(), Optional.empty(), Face.BOTH)
                .runAll(cases);

        assertEquals(cases.size() + " passed, 0 failed", report.summaryLine(), String.join("\n", report.lines()));
        for (CaseResult result : report.results()) {
            assertEquals("rms_norm", result.provider());
            assertEquals(2, result.faces().size(), result.name() + " did not run on both faces: " + result.notes());
        }
        assertTrue(cases.size() >= 7, "the golden file lost cases: " + cases.size());
    }
}
