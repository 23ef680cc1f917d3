package org.example.batchrenorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.core.conformance.ConformanceReader;

/**
 * The plugin through normkit's shaded jar in a JVM of its own, handed over with {@code --plugins}: listed,
 * conformance on both faces, and a small LeNet run. Run by failsafe after {@code package}; the pom passes the jars'
 * paths as {@code normkit.jar} and {@code plugin.jar}.
 */
class BatchRenormCliIT {
    @TempDir
    Path work;

    @Test
    void listShowsIt() throws Exception {
        String out = normkit("list");
        assertTrue(out.lines().anyMatch(l -> l.startsWith("batch_renorm ") && l.contains("Batch Renormalization")), out);
    }

    @Test
    void conformancePassesEveryGoldenCaseOnBothFaces() throws Exception {
        Path cases = Path.of(System.getProperty("golden.cases"));
        String out = normkit("conformance", "--cases", cases.toString());
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(ConformanceReader.read(cases).cases().size() + " passed, 0 failed", lines.get(lines.size() - 1),
                out);
    }

    @Test
    void trainsInTheLeNetExperiment() throws Exception {
        Path out = work.resolve("experiment");
        normkit("experiment", "--net", "lenet", "--norms", "batch_renorm", "--epochs", "1", "--seeds", "1",
                "--limit-train", "256", "--limit-test", "64", "--no-progress", "--out", out.toString());
        try (var files = Files.list(out)) {
            assertTrue(files.findAny().isPresent(), "the experiment wrote nothing to " + out);
        }
    }

    /** Runs {@code java -jar normkit.jar --plugins PLUGIN args}; returns stdout, failing on a non-zero exit. */
    private String normkit(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules=jdk.incubator.vector", "-Djava.awt.headless=true", "-jar",
                System.getProperty("normkit.jar"), "--plugins", System.getProperty("plugin.jar")));
        command.addAll(List.of(args));
        Path stdout = work.resolve("stdout.txt");
        Path stderr = work.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().remove("NORMKIT_PLUGINS");
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("normkit did not finish within 10 minutes: " + command);
        }
        String out = Files.readString(stdout);
        assertEquals(0, process.exitValue(), "$ " + String.join(" ", command) + "\n" + out + Files.readString(stderr));
        return out;
    }
}
