package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short version of {@code scripts/fault-injection.sh}: two SIGKILLs at random moments of a tiny experiment,
 * each followed by a resume, and the final results.csv must equal an uninterrupted run's, timing columns aside.
 */
class FaultInjectionTest {
    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("scripts/fault-injection.sh");

    @TempDir
    Path dir;

    @Test
    void anExperimentKilledTwiceAndResumedEndsWithTheResultsOfAnUninterruptedRun()
            throws IOException, InterruptedException {
        Path data = TinyIdx.write(Files.createDirectory(dir.resolve("data")), 256, 100);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), "2")
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile());
        builder.environment().put("NORMKIT", java + " --add-modules=jdk.incubator.vector -cp "
                + System.getProperty("java.class.path") + " " + Normkit.class.getName());
        builder.environment().put("FAULT_ARGS", "--data " + data + " --norms none,batch_norm --epochs 2 --seeds 1 "
                + "--batch-size 32");
        Process process = builder.start();

        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        String log = Files.readString(dir.resolve("log"), StandardCharsets.UTF_8);

        assertTrue(ended, "still running after 5 minutes:\n" + log);
        assertEquals(0, process.exitValue(), log);
        assertTrue(log.contains("fault-injection: OK"), log);
    }
}
