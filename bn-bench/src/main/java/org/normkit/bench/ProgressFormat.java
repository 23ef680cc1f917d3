package org.normkit.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH's output cut down to one line per finished benchmark, {@code [k/N] mm:ss what  time}, so a run of hundreds
 * of benchmarks stays readable. What JMH prints while a benchmark runs is kept until it ends: when it fails, the
 * first line that names an exception becomes the failure's reason ({@link #failures()}). JMH never ends a benchmark
 * that threw, so a benchmark still open when the next one starts, or when the run ends, has failed.
 */
final class ProgressFormat implements OutputFormat {
    private final PrintWriter out;
    private final int total;
    private final long start;
    private final Map<BenchmarkParams, String> failures = new LinkedHashMap<>();
    private final List<String> pending = new ArrayList<>();
    private BenchmarkParams current;
    private int done;

    /** Counts on from {@code alreadyDone} of {@code total}, with the time since {@code startNanos}. */
    ProgressFormat(PrintWriter out, int total, int alreadyDone, long startNanos) {
        this.out = out;
        this.total = total;
        this.done = alreadyDone;
        this.start = startNanos;
    }

    /** Benchmarks that ended without a result, with the reason JMH printed. */
    Map<BenchmarkParams, String> failures() {
        return failures;
    }

    int done() {
        return done;
    }

    @Override
    public void startBenchmark(BenchmarkParams params) {
        endWithoutResult();
        current = params;
        pending.clear();
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        if (current == null) {
            return;
        }
        if (result == null || result.getPrimaryResult() == null || Double.isNaN(result.getPrimaryResult().getScore())) {
            endWithoutResult();
            return;
        }
        done++;
        out.printf("[%d/%d] %s %s  %s%n", done, total, elapsed(), label(current),
                figure(current, result.getPrimaryResult().getScore()));
        out.flush();
        current = null;
        pending.clear();
    }

    /** JMH does not end a benchmark that threw: the next start (or the end of the run) tells us it failed. */
    private void endWithoutResult() {
        if (current == null) {
            return;
        }
        done++;
        String reason = reason();
        failures.put(current, reason);
        out.printf("[%d/%d] %s %s  FAILED: %s%n", done, total, elapsed(), label(current), reason);
        out.flush();
        current = null;
        pending.clear();
    }

    private String reason() {
        for (String line : pending) {
            String t = line.trim();
            if (t.matches("^[\\w.$]+(Exception|Error)(: .*)?$")) {
                return t;
            }
        }
        for (String line : pending) {
            if (!line.isBlank() && !line.startsWith("<failure>")) {
                return line.trim();
            }
        }
        return "no result (JMH gave no reason)";
    }

    /** {@code norm shape dtype pass face [padded] t=N}, {@code copy shape dtype t=N}, or {@code net norm face t=N}. */
    static String label(BenchmarkParams p) {
        if (p.getBenchmark().equals(BenchRunner.TRAINING_BENCHMARK)) {
            return p.getParam("net") + " " + p.getParam("norm") + " "
                    + BenchPlan.faceLabel(p.getParam("norm"), p.getParam("face")) + " t=" + p.getParam("threads");
        }
        if (p.getBenchmark().endsWith(".copy")) {
            return "copy " + p.getParam("shape") + " " + p.getParam("dtype") + " t=" + p.getParam("threads");
        }
        return p.getParam("norm") + " " + p.getParam("shape") + " " + p.getParam("dtype") + " " + p.getParam("pass")
                + " " + p.getParam("face")
                + (BenchMask.NONE.id().equals(p.getParam("mask")) ? "" : " " + p.getParam("mask"))
                + " t=" + p.getParam("threads");
    }

    /** The score as the report shows it: milliseconds per call, or for a training step samples/s and ms/step. */
    static String figure(BenchmarkParams p, double score) {
        if (p.getBenchmark().equals(BenchRunner.TRAINING_BENCHMARK)) {
            return String.format(Locale.ROOT, "%,.0f samples/s (%.3f ms/step)", score,
                    1000.0 * TrainingWorkload.BATCH / score);
        }
        return ReportTable.formatMs(score) + " ms";
    }

    private String elapsed() {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        return String.format("%02d:%02d", s / 60, s % 60);
    }

    @Override
    public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {}

    @Override
    public void iterationResult(BenchmarkParams benchParams, IterationParams params, int iteration,
                                IterationResult data) {}

    @Override
    public void startRun() {}

    @Override
    public void endRun(Collection<RunResult> result) {
        endWithoutResult();
    }

    @Override
    public void print(String s) {
        pending.add(s);
    }

    @Override
    public void println(String s) {
        for (String line : s.split("\n")) {
            pending.add(line);
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }

    @Override
    public void verbosePrintln(String s) {}

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b) {}
}
