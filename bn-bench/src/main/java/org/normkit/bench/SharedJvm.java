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
import java.util.Comparator;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Starts a benchmark JVM of its own with the benchmark JVM arguments and this class path, hands it a
 * {@link BenchJob} ({@link JobMain}), forwards its progress lines, and reads back the report it writes: the JVM of
 * each thread count of a benchmark run ({@link BenchRunner}), with the environment that sets the BLAS's own thread
 * count, and a temporary directory of its own. The head-to-head comparison ({@link Versus}) starts its JVM the same
 * way, with a main of its own.
 */
final class SharedJvm {
    private static final int LINES_KEPT = 20;
    /**
     * What every JVM with the Vector API module prints first (this one and each JMH fork): about our build, not the
     * user's command, so it is kept off the screen.
     */
    static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules";
    /** The system property JMH derives its lock file from. */
    static final String TEMPORARY_DIRECTORY = "java.io.tmpdir";

    private SharedJvm() {}

    /** Runs {@code job} in a JVM of its own ({@link JobMain}) and returns its report. */
    static BenchReport run(BenchJob job, List<String> jvmArgs, Map<String, String> environment,
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
                    environment, BenchReport::read, progress);
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
        Path temporary;
        Path result;
        try {
            temporary = Files.createTempDirectory("normkit-bench-");
            result = temporary.resolve("report.json");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the benchmark JVM: "
                    + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add(ownTemporaryDirectory(temporary));
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
            deleteTree(temporary);
        }
    }

    /**
     * {@code -Djava.io.tmpdir=DIR}: JMH takes its lock, {@code java.io.tmpdir/jmh.lock}, in the temporary directory, so
     * a JVM with a directory of its own has a lock of its own, and two {@code normkit bench} runs on one machine do not
     * refuse each other ("Another JMH instance might be running"). Whether two runs at once measure anything worth
     * keeping is the user's call; the figures of a run record the machine's load where it matters ({@link Versus}).
     * JMH's forks of that JVM are given its arguments, so their temporary files go there too.
     */
    static String ownTemporaryDirectory(Path directory) {
        return "-D" + TEMPORARY_DIRECTORY + "=" + directory.toAbsolutePath();
    }

    /** Deletes a temporary directory and what the benchmark JVM left in it; a leftover is harmless. */
    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // A leftover temporary directory is harmless.
        }
    }
}
