package org.example.rmsnorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.normkit.core.conformance.ConformanceReader;

/**
 * The plugin as a researcher uses it: normkit's shaded jar started as its own JVM, and this module's packaged jar
 * handed to it with {@code --plugins} (or {@code NORMKIT_PLUGINS}), so rms_norm reaches normkit only through its
 * plugin class loader. Run by failsafe after {@code package}; the pom passes the two jars' paths as the system
 * properties {@code normkit.jar} and {@code plugin.jar}.
 */
class PluginCliIT {
    private static final long TIMEOUT_MINUTES = 10;

    private static Path normkitJar;
    private static Path pluginJar;
    private static Path goldenCases;

    @TempDir
    Path work;

    @BeforeAll
    static void findTheJars() {
        normkitJar = existing("normkit.jar", "bn-cli's shaded jar: build from the repository root with mvn verify");
        pluginJar = existing("plugin.jar", "this module's jar: run the integration tests with mvn verify");
        goldenCases = existing("golden.cases", "the golden vectors in src/test/resources");
    }

    @Test
    void listShowsThePluginNextToOurNorms() throws Exception {
        Run run = normkit(Map.of(), "--plugins", pluginJar.toString(), "list");
        run.assertExitCode(0);
        assertTrue(run.out.lines().anyMatch(l -> l.startsWith("rms_norm ") && l.contains("RMSNorm")),
                run.describe());
        assertTrue(run.out.contains("batch_norm2d"), run.describe());
        assertEquals("", run.err, run.describe());
    }

    @Test
    void environmentVariableLoadsThePluginToo() throws Exception {
        Run run = normkit(Map.of("NORMKIT_PLUGINS", pluginJar.toString()), "list");
        run.assertExitCode(0);
        assertTrue(run.out.lines().anyMatch(l -> l.startsWith("rms_norm ")), run.describe());
    }

    @Test
    void listWithoutThePluginDoesNotKnowIt() throws Exception {
        Run run = normkit(Map.of(), "list");
        run.assertExitCode(0);
        assertFalse(run.out.contains("rms_norm"), "rms_norm is on normkit's own class path:\n" + run.describe());
    }

    /** A service line naming a class that is not in the jar, or that is no class name at all. */
    @ParameterizedTest
    @ValueSource(strings = {"org.example.missing.NoSuchProvider", "org.example.Not-A-Class-Name"})
    void brokenPluginGivesOneWarningNamingTheJarAndTheCauseWhileTheOtherNormsStillList(String entry)
            throws Exception {
        Path broken = work.resolve("broken-plugin.jar");
        writeJarWithServiceLine(broken, entry);

        Run run = normkit(Map.of(), "--plugins", broken + ":" + pluginJar, "list");

        run.assertExitCode(0);
        List<String> warnings = run.err.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertEquals(1, warnings.size(), run.describe());
        String warning = warnings.get(0);
        assertTrue(warning.startsWith("normkit: warning: "), warning);
        assertTrue(warning.contains("broken-plugin.jar"), "the warning does not name the jar: " + warning);
        assertTrue(warning.contains(entry), "the warning does not name the entry: " + warning);
        assertTrue(warning.contains(entry.contains("-") ? "Illegal provider-class name" : "not found"),
                "the warning does not give the cause: " + warning);
        assertTrue(run.out.lines().anyMatch(l -> l.startsWith("rms_norm ")), run.describe());
        assertTrue(run.out.contains("batch_norm2d"), run.describe());
    }

    @Test
    void gradcheckPasses() throws Exception {
        Run run = normkit(Map.of(), "--plugins", pluginJar.toString(), "gradcheck", "rms_norm");
        run.assertExitCode(0);
        assertTrue(lastLine(run.out).matches("[1-9]\\d* passed, 0 failed"), run.describe());
    }

    @Test
    void conformancePassesEveryGoldenCase() throws Exception {
        Run run = normkit(Map.of(), "--plugins", pluginJar.toString(), "conformance", "--cases",
                goldenCases.toString());
        run.assertExitCode(0);
        int cases = ConformanceReader.read(goldenCases).cases().size();
        assertEquals(cases + " passed, 0 failed", lastLine(run.out), run.describe());
    }

    @Test
    void quickBenchTimesThePlugin() throws Exception {
        Run run = normkit(Map.of(), "--plugins", pluginJar.toString(), "bench", "--quick", "--norms", "rms_norm",
                "--dtypes", "float32", "--threads", "1", "--json", work.resolve("bench.json").toString());
        run.assertExitCode(0);
        assertFalse(run.out.contains("nothing to time"), run.describe());
        assertTrue(run.out.contains("rms_norm"), run.describe());
        assertTrue(Files.size(work.resolve("bench.json")) > 0, run.describe());
    }

    @Test
    void experimentTrainsWithThePlugin() throws Exception {
        Path out = work.resolve("experiment");
        Run run = normkit(Map.of(), "--plugins", pluginJar.toString(), "experiment", "--norms", "rms_norm",
                "--epochs", "1", "--seeds", "1", "--limit-train", "300", "--limit-test", "100", "--no-progress",
                "--out", out.toString());
        run.assertExitCode(0);
        try (var files = Files.list(out)) {
            assertTrue(files.findAny().isPresent(), "the experiment wrote nothing to " + out + "\n" + run.describe());
        }
    }

    // ***** running normkit *****

    /** One finished normkit process: its exit code and everything it printed. */
    private record Run(List<String> command, int exitCode, String out, String err) {
        void assertExitCode(int expected) {
            assertEquals(expected, exitCode, describe());
        }

        String describe() {
            return "$ " + String.join(" ", command) + "\n--- exit code " + exitCode + "\n--- stdout\n" + out
                    + "--- stderr\n" + err;
        }
    }

    /** Starts {@code java -jar normkit.jar args} in the temporary folder, with {@code environment} added. */
    private Run normkit(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--add-modules=jdk.incubator.vector", "-Djava.awt.headless=true",
                // It times nothing, so another JMH run holding /tmp/jmh.lock must not stop it (bench forks inherit this).
                "-Djmh.ignoreLock=true", "-jar",
                normkitJar.toString()));
        command.addAll(Arrays.asList(args));
        Path stdout = Files.createTempFile(work, "stdout", ".txt");
        Path stderr = Files.createTempFile(work, "stderr", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().remove("NORMKIT_PLUGINS");
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("normkit did not finish within " + TIMEOUT_MINUTES + " minutes: "
                    + String.join(" ", command) + "\n--- stdout\n" + Files.readString(stdout));
        }
        // The JVM prints a warning line for the incubator module; it is not normkit's output.
        String err = Files.readString(stderr).lines().filter(l -> !l.contains("Using incubator modules"))
                .map(l -> l + "\n").collect(Collectors.joining());
        return new Run(command, process.exitValue(), Files.readString(stdout), err);
    }

    private static void writeJarWithServiceLine(Path jar, String entry) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("META-INF/services/org.normkit.autograd.spi.NormalizationProvider"));
            out.write((entry + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static Path existing(String property, String what) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set (" + what + "); the pom "
                    + "sets it for failsafe");
        }
        Path path = Path.of(value).normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(property + " = " + path + " does not exist: " + what);
        }
        return path;
    }
}
