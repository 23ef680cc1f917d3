package org.normkit.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.normkit.autograd.spi.PluginLoader;

/**
 * How long and where the suite measures.
 *
 * @param warmupIterations      JMH warm-up iterations per benchmark
 * @param warmupTime            length of each
 * @param iterations            measured iterations per benchmark
 * @param iterationTime         length of each (an iteration runs at least one call, however long)
 * @param forks                 JMH forks per benchmark; 0 means the benchmark JVM of each thread count runs every
 *                              benchmark in turn (the quick run: no JVM start per benchmark, at the price of a shared
 *                              profile)
 * @param jvmArgs               the arguments of every benchmark JVM: the Vector API module, the plugins
 */
public record RunSettings(int warmupIterations, Duration warmupTime, int iterations, Duration iterationTime,
                          int forks, List<String> jvmArgs) {

    /** The Vector API is an incubator module: every JVM that runs kernels must add it. */
    public static final String VECTOR_MODULE = "--add-modules=jdk.incubator.vector";

    /** JMH's switch for running while another JMH run holds {@code /tmp/jmh.lock}. */
    static final String IGNORE_LOCK = "jmh.ignoreLock";

    public RunSettings {
        if (warmupIterations < 0 || iterations < 1 || forks < 0) {
            throw new IllegalArgumentException("need warmup >= 0, iterations >= 1 and forks >= 0; got warmup "
                    + warmupIterations + ", iterations " + iterations + ", forks " + forks);
        }
        if (warmupTime.isNegative() || warmupTime.isZero() || iterationTime.isNegative() || iterationTime.isZero()) {
            throw new IllegalArgumentException("iteration times must be > 0, got warmup " + warmupTime.toMillis()
                    + " ms, measurement " + iterationTime.toMillis() + " ms");
        }
        jvmArgs = List.copyOf(jvmArgs);
    }

    /**
     * Enough to see every combination once: 1 warm-up × 100 ms and 2 × 100 ms, in one JVM per thread count. The
     * figures are indicative; the full run is for measurements.
     */
    public static RunSettings quick(List<Path> plugins) {
        return new RunSettings(1, Duration.ofMillis(100), 2, Duration.ofMillis(100), 0, forkJvmArgs(plugins));
    }

    /** A measurement: 3 warm-up × 500 ms and 5 × 500 ms per benchmark, each in a JVM of its own. */
    public static RunSettings full(List<Path> plugins) {
        return new RunSettings(3, Duration.ofMillis(500), 5, Duration.ofMillis(500), 1, forkJvmArgs(plugins));
    }

    /**
     * The Vector API module, {@code -Dnormkit.plugins} with the plugins' absolute paths when there are any, and
     * {@code -Djmh.ignoreLock=true} when this JVM has it.
     */
    public static List<String> forkJvmArgs(List<Path> plugins) {
        List<String> args = new ArrayList<>();
        args.add(VECTOR_MODULE);
        if (!plugins.isEmpty()) {
            args.add("-D" + PluginLoader.SYSTEM_PROPERTY + "=" + plugins.stream()
                    .map(p -> p.toAbsolutePath().normalize().toString()).collect(Collectors.joining(":")));
        }
        // A caller that chose to ignore JMH's machine-wide lock (the test suite) means it for its children too.
        if (Boolean.getBoolean(IGNORE_LOCK)) {
            args.add("-D" + IGNORE_LOCK + "=true");
        }
        return args;
    }

    /**
     * The training benchmark's quick look: 3 warm-up × 1 s and 3 × 500 ms, in one JVM per thread count. A step
     * runs dozens of kernels, so even a look needs more warm-up than one norm does.
     */
    public static RunSettings trainingQuick(List<Path> plugins) {
        return new RunSettings(3, Duration.ofSeconds(1), 3, Duration.ofMillis(500), 0, forkJvmArgs(plugins));
    }

    /**
     * The training benchmark's measurement: 10 warm-up × 1 s and 5 × 1 s per combination, each in a JVM of its own.
     * LeNet needs the long warm-up: on our 2-core machine its throughput was still climbing after 5 s (254, 4,165,
     * 8,260, 10,220 and 11,405 samples/s in the first five seconds, 13,000–15,000 after).
     */
    public static RunSettings trainingFull(List<Path> plugins) {
        return new RunSettings(10, Duration.ofSeconds(1), 5, Duration.ofSeconds(1), 1, forkJvmArgs(plugins));
    }

    public RunSettings withWarmup(int count, Duration time) {
        return new RunSettings(count, time, iterations, iterationTime, forks, jvmArgs);
    }

    public RunSettings withMeasurement(int count, Duration time) {
        return new RunSettings(warmupIterations, warmupTime, count, time, forks, jvmArgs);
    }

    public RunSettings withForks(int f) {
        return new RunSettings(warmupIterations, warmupTime, iterations, iterationTime, f, jvmArgs);
    }

    /** One line for reports. */
    public String describe() {
        return describe("JMH average time");
    }

    /** One line for reports, naming JMH's mode. */
    public String describe(String mode) {
        return mode + "; warm-up " + warmupIterations + " × " + warmupTime.toMillis() + " ms, measurement "
                + iterations + " × " + iterationTime.toMillis() + " ms; "
                + (forks == 0
                        ? "one JVM per thread count for every benchmark (quick: profiles shared between norms)"
                        : forks + " fork" + (forks == 1 ? "" : "s") + " per benchmark");
    }
}
