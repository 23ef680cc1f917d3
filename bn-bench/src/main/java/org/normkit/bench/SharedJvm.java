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
import java.util.Map;
import java.util.function.Function;

/**
 * Starts a benchmark JVM of its own with the benchmark JVM arguments and this class path, hands it a
 * {@link BenchJob} ({@link JobMain}), forwards its progress lines, and reads back the report it writes: the one JVM
 * of a quick kernel run (one JVM start for the whole suite, still apart from the command's own), and the JVM of each
 * thread count of a training run ({@link TrainingRunner}), with the environment that sets the BLAS's own thread
 * count. The head-to-head comparison ({@link Versus}) starts its JVM the same way, with a main of its own.
 */
final class SharedJvm {
    private static final int LINES_KEPT = 20;
    /**
     * What every JVM with the Vector API module prints first (this one and each JMH fork): about our build, not the
     * user's command, so it is kept off the screen.
     */
    static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules";

    private SharedJvm() {}

    /** Runs {@code job} in a JVM of its own ({@link JobMain}) and returns its report. */
    static <R> R run(BenchJob job, Class<R> reportType, List<String> jvmArgs, Map<String, String> environment,
                     PrintWriter progress) {
        Path jobFile;
        try {
            jobFile = Files.createTempFile("normkit-bench-job-", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for the benchmark job: " + e.getMessage(),
                    e);
        }
        try {
            ReportJson.write(jobFile, job);
            return run(JobMain.class, report -> List.of(jobFile.toString(), report.toString()), jvmArgs,
                    environment, file -> ReportJson.read(file, reportType), progress);
        } finally {
            try {
                Files.deleteIfExists(jobFile);
            } catch (IOException ignored) {
                // A leftover temporary file is harmless.
            }
        }
    }

    /**
     * Runs {@code main} in a JVM of its own with {@code jvmArgs}, this class path and {@code environment} added to
     * this process's, passing it the arguments made for a temporary result file; forwards its output to
     * {@code progress} and returns what {@code read} makes of the result file once the JVM exited with 0.
     */
    static <R> R run(Class<?> main, Function<Path, List<String>> arguments, List<String> jvmArgs,
                     Map<String, String> environment, Function<Path, R> read, PrintWriter progress) {
        return run(main, System.getProperty("java.class.path"), arguments, jvmArgs, environment, read, progress);
    }

    /** As {@link #run(Class, Function, List, Map, Function, PrintWriter)}, with the given class path. */
    static <R> R run(Class<?> main, String classPath, Function<Path, List<String>> arguments, List<String> jvmArgs,
                     Map<String, String> environment, Function<Path, R> read, PrintWriter progress) {
        Path result;
        try {
            result = Files.createTempFile("normkit-bench-", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file for the benchmark JVM's report: "
                    + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        command.addAll(arguments.apply(result));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
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
                if (line.contains(INCUBATOR_NOTICE)) {
                    continue;
                }
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
            return read.apply(result);
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
