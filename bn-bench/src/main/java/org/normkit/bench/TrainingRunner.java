package org.normkit.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.normkit.autograd.loops.Gemm;
import org.normkit.autograd.spi.Face;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs a {@link TrainingPlan} of {@link TrainingStepBenchmark} through JMH's Runner API and turns the results into
 * report rows.
 *
 * <p>A thread count has to reach two places: the norm kernels ({@code KernelThreads}, set by the benchmark) and the
 * BLAS of the matrix products, whose thread pool OpenBLAS sizes once, from {@code OPENBLAS_NUM_THREADS}, when it
 * loads. So {@link #run} starts one JVM ({@link JobMain}, job {@link BenchJob.TrainingSteps}) per thread count with that variable set to it; inside,
 * JMH runs the benchmarks in that JVM ({@code forks == 0}) or forks JVMs that inherit the variable. Within one
 * JVM, one JMH run per (net, norm) holds its faces.
 */
public final class TrainingRunner {
    static final String BENCHMARK = TrainingStepBenchmark.class.getName() + ".step";
    /** The variable that sizes OpenBLAS's thread pool (read when the library loads). */
    static final String BLAS_THREADS = "OPENBLAS_NUM_THREADS";
    static final String MODE = "JMH throughput, samples/s (" + TrainingWorkload.BATCH + " per step)";

    private TrainingRunner() {}

    /** Runs the plan in one JVM per thread count, printing one progress line per combination. */
    public static TrainingReport run(TrainingPlan plan, RunSettings settings, PrintWriter progress) {
        progress.printf("normkit bench --training: %d combinations of net, norm, face and threads; %s%n",
                plan.combos(), settings.describe(MODE));
        progress.flush();
        TrainingReport report = null;
        int done = 0;
        for (int threads : plan.selection().threads()) {
            TrainingPlan one = plan.withThreads(threads);
            TrainingReport part = SharedJvm.run(new BenchJob.TrainingSteps(one.selection(), settings, done,
                    plan.combos()), TrainingReport.class, settings.jvmArgs(),
                    Map.of(BLAS_THREADS, Integer.toString(threads)), progress);
            done += one.combos();
            report = report == null ? part : report.plus(part);
        }
        return report;
    }

    /**
     * Runs every combination from this JVM: in it when {@code settings.forks() == 0}, else in JMH forks of it. The
     * body of each thread count's JVM, and of tests.
     *
     * @param done  combinations already done before this JVM (for the progress count)
     * @param total combinations of the whole run
     */
    public static TrainingReport runInThisJvm(TrainingPlan plan, RunSettings settings, List<String> forkJvmArgs,
                                              PrintWriter progress, int done, int total) {
        List<TrainingReport.Row> rows = new ArrayList<>();
        List<TrainingPlan.Skip> skipped = new ArrayList<>(plan.skipped());
        long start = System.nanoTime();
        for (TrainingPlan.Group group : plan.groups()) {
            ProgressFormat format = new ProgressFormat(progress, total, done, start);
            Collection<RunResult> runs;
            try {
                runs = new Runner(options(group, plan.selection(), settings, forkJvmArgs), format).run();
            } catch (RunnerException e) {
                throw new IllegalStateException("JMH could not run " + group.net() + " " + group.norm() + ": "
                        + e.getMessage(), e);
            }
            done = format.done();
            for (RunResult r : runs) {
                rows.add(row(r));
            }
            format.failures().forEach((p, reason) -> skipped.add(new TrainingPlan.Skip(p.getParam("net"),
                    p.getParam("norm"), TrainingPlan.faceLabel(p.getParam("norm"), p.getParam("face")),
                    "failed with threads=" + p.getParam("threads") + ": " + reason)));
        }
        String flags = settings.forks() > 0 ? "benchmark JVMs: " + String.join(" ", forkJvmArgs)
                : "benchmark JVM: " + MachineInfo.thisJvmFlags();
        String blasThreads = System.getenv(BLAS_THREADS);
        String hook = "norm kernels: KernelThreads.set(threads) before each trial; matrix products: "
                + Gemm.implementation() + ", " + BLAS_THREADS + "=" + (blasThreads == null ? "unset" : blasThreads)
                + " in the JVM of threads=" + plan.selection().threads().get(0);
        return new TrainingReport(MachineInfo.current(flags + "; " + settings.describe(MODE)),
                settings.describe(MODE), hook, TrainingWorkload.BATCH, rows, skipped);
    }

    /** The JMH options of one (net, norm). */
    static Options options(TrainingPlan.Group group, TrainingPlan.Selection selection, RunSettings settings,
                           List<String> forkJvmArgs) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote(BENCHMARK) + "$")
                .param("net", group.net())
                .param("norm", group.norm())
                .param("face", group.faces().stream().map(Face::id).toArray(String[]::new))
                .param("threads", selection.threads().stream().map(String::valueOf).toArray(String[]::new))
                .mode(Mode.Throughput)
                .timeUnit(TimeUnit.SECONDS)
                .warmupIterations(settings.warmupIterations())
                .warmupTime(TimeValue.milliseconds(settings.warmupTime().toMillis()))
                .measurementIterations(settings.iterations())
                .measurementTime(TimeValue.milliseconds(settings.iterationTime().toMillis()))
                .forks(settings.forks())
                .shouldFailOnError(false);
        if (settings.forks() > 0) {
            b.jvmArgs(forkJvmArgs.toArray(String[]::new));
        }
        return b.build();
    }

    static TrainingReport.Row row(RunResult r) {
        BenchmarkParams p = r.getParams();
        double samplesPerSecond = r.getPrimaryResult().getScore();
        double error = r.getPrimaryResult().getScoreError();
        return new TrainingReport.Row(p.getParam("net"), p.getParam("norm"),
                TrainingPlan.faceLabel(p.getParam("norm"), p.getParam("face")), Integer.parseInt(p.getParam("threads")),
                samplesPerSecond, Double.isFinite(error) ? error : Double.NaN,
                msPerStep(samplesPerSecond), r.getPrimaryResult().getStatistics().getPercentile(50));
    }

    /** Milliseconds per step of {@link TrainingWorkload#BATCH} samples at this rate. */
    static double msPerStep(double samplesPerSecond) {
        return 1000.0 * TrainingWorkload.BATCH / samplesPerSecond;
    }
}
