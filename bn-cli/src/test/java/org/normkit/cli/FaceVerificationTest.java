package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.util.Modules;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.experiments.data.SyntheticImages;
import org.normkit.experiments.train.ExperimentRunner;

/**
 * Every tool verifies the norms it uses before any work: a norm whose reference face is 1 % off (planted in
 * {@link PlantedBugNorm}) is refused with the quantity, the worst element's index and both values, and nothing is
 * trained or timed; {@code --no-verify} lets it through. And {@code normkit verify} runs every check of a norm.
 */
class FaceVerificationTest {
    @TempDir
    Path dir;

    /** The planted norm joins the registry, and a small synthetic set stands in for Fashion-MNIST. */
    static Module parts() {
        return Modules.combine(PlantedBugNorm.module(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(ExperimentRunner.DataSource.class).toInstance(folder -> SyntheticImages.generate(64, 32, 1));
            }
        });
    }

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Normkit.run(args, new PrintWriter(out, true), new PrintWriter(err, true), parts());
        return new Run(exit, out.toString(), err.toString());
    }

    private String[] training(String command, String norms, String... more) {
        List<String> args = new ArrayList<>(List.of(command, "--norms", norms, "--epochs", "1", "--seeds", "1",
                "--batch-size", "16", "--no-progress", "--out", dir.resolve("out").toString()));
        args.addAll(Arrays.asList(more));
        return args.toArray(String[]::new);
    }

    private static void assertRefusedNamingTheWorstElement(Run r) {
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("normkit: error: planted_bug: its reference and fused faces disagree on a "
                + "(4, 3) float64 input in training: output worst at ["), r.err());
        assertTrue(r.err().matches("(?s).*: reference -?[0-9.E-]+, fused -?[0-9.E-]+ \\(tolerance .*"), r.err());
        assertTrue(r.err().contains("--no-verify"), r.err());
    }

    @Nested
    class ThePlantedBug {
        @Test
        void stopsAnExperimentBeforeAnyNormTrains() {
            Run r = run(training("experiment", "none,batch_norm,planted_bug"));
            assertRefusedNamingTheWorstElement(r);
            assertFalse(r.out().contains("epoch"), r.out());
            assertFalse(Files.exists(dir.resolve("out").resolve("results.csv")));
        }

        @Test
        void stopsASweep() {
            Run r = run(training("sweep", "planted_bug", "--vary", "lr=0.1,0.2"));
            assertRefusedNamingTheWorstElement(r);
            assertFalse(Files.exists(dir.resolve("out").resolve("results.csv")));
        }

        @Test
        void stopsABenchmarkBeforeTiming() {
            Run r = run("bench", "--quick", "--norms", "planted_bug", "--dtypes", "float64", "--threads", "1");
            assertRefusedNamingTheWorstElement(r);
            assertEquals("", r.out());
        }

        @Test
        void trainsWithNoVerify() {
            Run r = run(training("experiment", "planted_bug", "--no-verify"));
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(Files.exists(dir.resolve("out").resolve("results.csv")));
        }
    }

    @Nested
    class TheVerifyCommand {
        @Test
        void runsGradcheckFacesAndConformanceAndGivesAVerdict() {
            Path cases = Path.of("../bn-core/src/test/resources/conformance/batch-cases.json");
            Run r = run("verify", "batch_norm2d", "--cases", cases.toString());
            assertEquals(0, r.exit(), r.out() + r.err());
            String[] lines = r.out().split("\n");
            assertTrue(r.out().startsWith("note batch_norm2d: the fused face hands second order to the reference face"),
                    r.out());
            assertTrue(r.out().contains("ok   gradcheck batch_norm2d (2, 3, 3, 4) train"), r.out());
            assertTrue(r.out().contains("ok   faces batch_norm2d (2, 3, 3, 4) float32 eval"), r.out());
            assertTrue(r.out().contains("ok   conformance nk-bn2d-train-momentum-1.0 [batch_norm2d, reference+fused]"),
                    r.out());
            assertTrue(lines[lines.length - 1].matches("\\d+ passed, 0 failed: batch_norm2d is verified"),
                    lines[lines.length - 1]);
        }

        @Test
        void saysNotVerifiedAndShowsTheFailingFaces() {
            Run r = run("verify", PlantedBugNorm.NAME);
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("FAIL faces planted_bug (4, 3) float64 train"), r.out());
            assertTrue(r.out().contains("ok   gradcheck planted_bug (4, 3) train"), r.out());
            assertTrue(r.out().strip().endsWith("failed: planted_bug is NOT verified"), r.out());
        }

        @Test
        void aCasesFileWithoutACaseForTheNormIsAnError() {
            Path cases = Path.of("../bn-core/src/test/resources/conformance/batch-cases.json");
            Run r = run("verify", "layer_norm", "--cases", cases.toString());
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("has no case for layer_norm: its 17 cases are for batch_norm1d, "
                    + "batch_norm2d, batch_norm3d"), r.err());
            assertEquals("", r.out());
        }
    }
}
