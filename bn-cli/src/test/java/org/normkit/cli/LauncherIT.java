package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code ./normkit} launcher as a user runs it, on the jar this build packaged (failsafe runs this after the
 * package phase): the JVM's "WARNING: Using incubator modules" line, printed because the kernels need the Vector API
 * module, reaches neither stdout nor stderr, for {@code --help} and {@code --version} as for commands, and neither
 * does that of the JVM a benchmark run starts; the command's own errors still reach stderr.
 *
 * <p>The launcher rebuilds the jar first when a source is newer than it (a file saved while the build ran), and
 * says so on stderr before the JVM starts: the assertions read the command's own output, after that line.
 */
class LauncherIT {
    private static final String NOTICE = "WARNING: Using incubator modules";
    /** The launcher's own line, before the JVM's output, when it rebuilds the jar. */
    private static final String BUILDING = "normkit: building (";
    private static final Path LAUNCHER = Path.of("..", "normkit").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** {@code err} is what the command (the JVM) wrote to stderr, without the launcher's line about a rebuild. */
    private record Run(int exit, String out, String err) {}

    private static String withoutTheLaunchersBuildLine(String stderr) {
        return stderr.startsWith(BUILDING) ? stderr.substring(stderr.indexOf('\n') + 1) : stderr;
    }

    private Run launch(String... args) throws IOException, InterruptedException {
        return launch(Map.of(), args);
    }

    private Run launch(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        File out = dir.resolve("stdout").toFile();
        File err = dir.resolve("stderr").toFile();
        ProcessBuilder builder = new ProcessBuilder(command).directory(LAUNCHER.getParent().toFile())
                .redirectOutput(out).redirectError(err);
        builder.environment().putAll(environment);
        Process p = builder.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "./normkit " + String.join(" ", args) + " did not finish");
        return new Run(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                withoutTheLaunchersBuildLine(Files.readString(err.toPath(), StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "./normkit {0}")
    @ValueSource(strings = {"--version", "--help", "list"})
    void theIncubatorNoticeReachesNeitherStream(String args) throws IOException, InterruptedException {
        Run r = launch(args.split(" "));

        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().isBlank(), "the command printed nothing");
        assertFalse(r.out().contains(NOTICE), r.out());
        assertFalse(r.err().contains(NOTICE), r.err());
    }

    @Test
    void theCommandsOwnErrorStillReachesStderrAsItsFirstLine() throws IOException, InterruptedException {
        Run r = launch("experiment", "--epochs", "0");

        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("normkit: error: --epochs 0 must be >= 1"), r.err());
        assertFalse(r.err().contains(NOTICE), r.err());
    }

    @ParameterizedTest(name = "./normkit experiment {0}")
    @ValueSource(strings = {"--dtype float32", "--dtype float64", "--dtype=float64", "--net lenet", "--net=lenet",
        "--net mlp"})
    void float64AndLenetGetAYoungGenerationLargeEnoughForTheirLiveGraphAndTheMlpKeeps96Mb(String option)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("experiment", "--epochs", "0"));
        args.addAll(List.of(option.split(" ")));

        // The JVM prints the flags it was started with on stdout before the command refuses --epochs 0.
        Run r = launch(Map.of("NORMKIT_JAVA_OPTS", "-XX:+PrintCommandLineFlags"), args.toArray(String[]::new));

        long young = option.endsWith("float64") || option.endsWith("lenet") ? 256L << 20 : 96L << 20;
        assertTrue(r.out().contains("-XX:NewSize=" + young + " "), r.out());
        assertTrue(r.out().contains("-XX:+UseParallelGC"), r.out());
    }

    @Test
    void aBenchmarkRunsForkedJvmKeepsItsNoticeOffTheScreenToo() throws IOException, InterruptedException {
        Run r = launch("bench", "--quick", "--norms", "batch_norm", "--dtypes", "float32", "--threads", "1",
                "--faces", "fused", "--passes", "eval_forward", "--no-verify");

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("batch_norm"), r.out());
        assertFalse(r.out().contains(NOTICE), r.out());
        assertFalse(r.err().contains(NOTICE), r.err());
    }
}
