package org.example.batchrenorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.core.conformance.CaseResult;
import org.normkit.core.conformance.ConformanceCase;
import org.normkit.core.conformance.ConformanceReader;
import org.normkit.core.conformance.ConformanceReport;
import org.normkit.core.conformance.ConformanceRunner;

/** The golden vectors of scripts/make_batch_renorm_golden.py (a PyTorch reference) through normkit's runner. */
class BatchRenormConformanceTest {

    @Test
    void everyGoldenCasePassesOnBothFaces() throws IOException {
        List<ConformanceCase> cases;
        try (InputStream in = getClass().getResourceAsStream("/batch-renorm-cases.json")) {
            cases = ConformanceReader.read(in, "batch-renorm-cases.json").cases();
        }
        ConformanceReport report = new ConformanceRunner(NormRegistry.loadDefault(), Optional.empty(), Face.BOTH)
                .runAll(cases);

        assertEquals(cases.size() + " passed, 0 failed", report.summaryLine(), String.join("\n", report.lines()));
        for (CaseResult result : report.results()) {
            assertEquals("batch_renorm", result.provider());
            assertEquals(2, result.faces().size(), result.name() + " did not run on both faces: " + result.notes());
        }
        assertTrue(cases.size() >= 5, "the golden file lost cases: " + cases.size());
    }
}
