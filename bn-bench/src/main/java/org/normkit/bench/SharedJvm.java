package org.normkit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Starts the one JVM of a quick run ({@link SuiteMain}) with the benchmark JVM arguments and this class path,
 * forwards its progress lines, and reads back the report it writes. Only one JVM start for the whole suite, and
 * still a JVM apart from the command's own.
 */
final class SharedJvm {
    private static final int LINES_KEPT = 20;

    private SharedJvm() {}

    static BenchReport run(BenchSelection selection, RunSettings settings, PrintWriter progress) {
        Path result;
        try {
            result = Files.createTempFile("normkit-bench-", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for the benchmark JVM's report: "
                    + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(settings.jvmArgs());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SuiteMain.class.getName());
        command.addAll(SuiteMain.arguments(selection, settings, result));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the benchmark JVM (" + command.get(0) + "): "
                    + e.getMessage(), e);
        }
        Thread stopChild = new Thread(process::destroy, "normkit-bench-stop");
        Runtime.getRuntime().addShutdownHook(stopChild);
        Deque<String> last = new ArrayDeque<>();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                progress.println(line);
                progress.flush();
                last.addLast(line);
                if (last.size() > LINES_KEPT) {
                    last.removeFirst();
                }
            }
            int code = process.waitFor();
            if (code != 0) {
                throw new IllegalStateException("the benchmark JVM exited with code " + code + "; its last lines:\n"
                        + String.join("\n", last));
            }
            return ReportJson.read(result);
        } catch (IOException e) {
            throw new UncheckedIOException("lost the benchmark JVM's output: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the benchmarks ran", e);
        } finally {
            process.destroy();
            try {
                Runtime.getRuntime().removeShutdownHook(stopChild);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is already exiting; the hook will run and stop the child.
            }
            try {
                Files.deleteIfExists(result);
            } catch (IOException ignored) {
                // A leftover temporary file is harmless.
            }
        }
    }
}
