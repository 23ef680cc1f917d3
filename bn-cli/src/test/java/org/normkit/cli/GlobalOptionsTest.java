package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.normkit.autograd.spi.ProviderDiscovery;

/**
 * {@code --debug} and {@code --plugins} are options of the whole command: accepted before the subcommand, after it
 * and after its own options, and doing the same in every position (a stack trace instead of the one-line error; the
 * plugin jar read into the registry).
 */
class GlobalOptionsTest {
    private static final String MISSING_PROVIDER = "org.example.NotInThisJar";

    @TempDir
    static Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Normkit.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    /** A plugin jar whose one service line names a class it does not hold: loading it leaves a warning. */
    private static Path pluginJar() throws IOException {
        Path jar = dir.resolve("plugin.jar");
        if (!Files.exists(jar)) {
            try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
                out.putNextEntry(new ZipEntry(ProviderDiscovery.SERVICE_FILE));
                out.write((MISSING_PROVIDER + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void withoutDebugAnErrorIsOneLineThatPointsToDebug() {
        Run r = run("experiment", "--epochs", "0");

        assertEquals(1, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("normkit: error: --epochs 0 must be >= 1"), r.err());
        assertTrue(r.err().strip().endsWith("(run with --debug for the stack trace)"), r.err());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--debug experiment --epochs 0", "experiment --debug --epochs 0",
        "experiment --epochs 0 --debug"})
    void debugInAnyPositionPrintsTheStackTrace(String args) {
        Run r = run(args.split(" "));

        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("--epochs 0 must be >= 1"), r.err());
        assertTrue(r.err().contains("\tat org.normkit."), r.err());
        assertFalse(r.err().contains("(run with --debug"), r.err());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--plugins JAR list", "list --plugins JAR"})
    void pluginsInEitherPositionAreReadIntoTheRegistry(String args) throws IOException {
        String jar = pluginJar().toString();
        Run r = run(args.replace("JAR", jar).split(" "));

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith("normkit: warning: plugin not loaded: "), r.err());
        assertTrue(r.err().contains(jar), r.err());
        assertTrue(r.err().contains("('" + MISSING_PROVIDER + "')"), r.err());
        assertTrue(r.out().contains("batch_norm"), r.out());
    }

    @Test
    void withoutPluginsTheRegistryLoadsWithoutWarnings() {
        Run r = run("list");

        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("plugin not loaded"), r.err());
    }
}
