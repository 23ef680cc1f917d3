package org.normkit.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.normkit.autograd.loops.Gemm;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.tensor.DType;
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
 * Runs a {@link BenchPlan}, kernel or training, through JMH's Runner API and turns the results into the rows of one
 * {@link BenchReport}.
 *
 * <p>{@link #run} starts one benchmark JVM per thread count ({@link SharedJvm}, {@link JobMain} running a
 * {@link BenchJob}), with {@code OPENBLAS_NUM_THREADS=1}, as {@code ./normkit} runs training: the thread count
 * reaches every kernel through {@code KernelThreads} (set by the benchmarks), the matrix products included, which
 * cut themselves into blocks of single-threaded BLAS calls on that pool; OpenBLAS's own pool (sized once, when it
 * loads) would contend with it. Each such JVM has a temporary directory of its own, so JMH's lock ({@code java.io.tmpdir/jmh.lock})
 * is its own and two runs on one machine do not refuse each other. Inside, JMH runs the benchmarks in that JVM
 * ({@code forks == 0}, a quick look) or forks a JVM per benchmark, which inherits the arguments.
 *
 * <p>Within one JVM, one JMH run per {@link BenchPlan.Group}: a kernel group holds one norm's benchmarks on one shape
 * and the copy baselines of the same shape, so every ratio to copy divides two figures measured minutes apart at
 * most; a training group holds one (net, norm)'s faces.
 */
public final class BenchRunner {
    static final String NORM_BENCHMARK = NormBenchmark.class.getName() + ".measure";
    static final String COPY_BENCHMARK = CopyBenchmark.class.getName() + ".copy";
    static final String TRAINING_BENCHMARK = TrainingStepBenchmark.class.getName() + ".step";
    /** The variable that sizes OpenBLAS's thread pool (read when the library loads). */
    static final String BLAS_THREADS = "OPENBLAS_NUM_THREADS";
    static final String KERNEL_MODE = "JMH average time";
    static final String TRAINING_MODE = "JMH throughput, samples/s (" + TrainingWorkload.BATCH + " per step)";
    static final String KERNEL_HOOK = "org.normkit.autograd.parallel.KernelThreads.set(threads) before each trial";

    private BenchRunner() {}

    /** Runs the plan in one JVM per thread count, printing one progress line per benchmark to {@code progress}. */
    public static BenchReport run(BenchPlan plan, RunSettings settings, PrintWriter progress) {
        progress.println(header(plan, settings));
        progress.flush();
        BenchReport report = null;
        int done = 0;
        for (int threads : plan.selection().threads()) {
            BenchPlan one = plan.withThreads(threads);
            BenchReport part = SharedJvm.run(new BenchJob(one.selection(), settings, done, plan.combos()),
                    settings.jvmArgs(), Map.of(BLAS_THREADS, "1"), progress);
            done += one.combos();
            report = report == null ? part : report.plus(part);
        }
        return report;
    }

    static String header(BenchPlan plan, RunSettings settings) {
        if (plan.kind() == BenchKind.TRAINING) {
            return String.format("normkit bench --training: %d combinations of net, norm, face and threads; %s",
                    plan.combos(), settings.describe(TRAINING_MODE));
        }
        return String.format("normkit bench: %d norm × shape groups, %d norm benchmarks + %d copy baselines; %s",
                plan.groups().size(), plan.rowCombos(), plan.copyCombos(), settings.describe(KERNEL_MODE));
    }

    /**
     * Runs every benchmark of the plan from this JVM: in it when {@code settings.forks() == 0}, else in JMH forks of
     * it with {@code forkJvmArgs}. The body of each thread count's JVM, and of tests.
     *
     * @param done  benchmarks already done before this JVM (for the progress count)
     * @param total benchmarks of the whole run
     */
    public static BenchReport runInThisJvm(BenchPlan plan, RunSettings settings, List<String> forkJvmArgs,
                                           PrintWriter progress, int done, int total) {
        List<BenchResult> rows = new ArrayList<>();
        List<BenchPlan.Skip> skipped = new ArrayList<>(plan.skipped());
        Map<String, String> specs = new LinkedHashMap<>();
        long start = System.nanoTime();
        for (BenchPlan.Group group : plan.groups()) {
            if (group.spec() != null) {
                specs.put(group.norm() + " " + group.shapeText(), group.spec());
            }
            ProgressFormat format = new ProgressFormat(progress, total, done, start);
            Collection<RunResult> runs;
            try {
                runs = new Runner(options(group, plan.selection(), settings, forkJvmArgs), format).run();
            } catch (RunnerException e) {
                throw new IllegalStateException("JMH could not run " + (group.net() == null ? "" : group.net() + " ")
                        + group.norm() + " " + group.shapeText() + ": " + e.getMessage(), e);
            }
            done = format.done();
            rows.addAll(group.kind() == BenchKind.KERNEL ? kernelRows(group, runs) : trainingRows(runs));
            format.failures().forEach((params, reason) -> skipped.add(failure(params, reason)));
        }
        boolean training = plan.kind() == BenchKind.TRAINING;
        String mode = training ? TRAINING_MODE : KERNEL_MODE;
        String flags = settings.forks() > 0 ? "benchmark JVMs: " + String.join(" ", forkJvmArgs)
                : "benchmark JVM: " + MachineInfo.thisJvmFlags();
        String hook = KERNEL_HOOK;
        if (training) {
            String blasThreads = System.getenv(BLAS_THREADS);
            hook = "norm kernels: KernelThreads.set(threads) before each trial; matrix products: "
                    + Gemm.implementation() + ", " + BLAS_THREADS + "=" + (blasThreads == null ? "unset" : blasThreads)
                    + " in the JVM of threads=" + plan.selection().threads().get(0);
        }
        return new BenchReport(MachineInfo.current(flags + "; " + settings.describe(mode)), settings.describe(mode),
                hook, training ? TrainingWorkload.BATCH : 0, rows, skipped, specs).withCommit(Commit.describe());
    }

    /** The JMH options of one group: its benchmark, its parameters, the selection's and the settings'. */
    static Options options(BenchPlan.Group group, BenchSelection selection, RunSettings settings,
                           List<String> forkJvmArgs) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .param("norm", group.norm())
                .param("face", group.faces().stream().map(Face::id).toArray(String[]::new))
                .param("threads", selection.threads().stream().map(String::valueOf).toArray(String[]::new))
                .warmupIterations(settings.warmupIterations())
                .warmupTime(TimeValue.milliseconds(settings.warmupTime().toMillis()))
                .measurementIterations(settings.iterations())
                .measurementTime(TimeValue.milliseconds(settings.iterationTime().toMillis()))
                .forks(settings.forks())
                .shouldFailOnError(false);
        if (group.kind() == BenchKind.TRAINING) {
            b.include("^" + Pattern.quote(TRAINING_BENCHMARK) + "$")
                    .param("net", group.net())
                    .mode(Mode.Throughput)
                    .timeUnit(TimeUnit.SECONDS);
        } else {
            b.include("^" + Pattern.quote(NORM_BENCHMARK) + "$")
                    .include("^" + Pattern.quote(COPY_BENCHMARK) + "$")
                    .param("shape", group.shapeText())
                    .param("dtype", selection.dtypes().stream().map(DType::label).toArray(String[]::new))
                    .param("pass", selection.passes().stream().map(BenchPass::id).toArray(String[]::new))
                    .param("mask", group.masks().stream().map(BenchMask::id).toArray(String[]::new))
                    .mode(Mode.AverageTime)
                    .timeUnit(TimeUnit.MILLISECONDS);
        }
        if (settings.forks() > 0) {
            b.jvmArgs(forkJvmArgs.toArray(String[]::new));
        }
        return b.build();
    }

    /** The norm rows of one kernel group, each paired with the copy of the same dtype and threads from the same run. */
    static List<BenchResult> kernelRows(BenchPlan.Group group, Collection<RunResult> runs) {
        Map<String, Double> copyMs = new HashMap<>();
        for (RunResult r : runs) {
            BenchmarkParams p = r.getParams();
            if (p.getBenchmark().equals(COPY_BENCHMARK)) {
                copyMs.put(p.getParam("dtype") + "/" + p.getParam("threads"), r.getPrimaryResult().getScore());
            }
        }
        long numel = group.shape().numel();
        List<BenchResult> rows = new ArrayList<>();
        for (RunResult r : runs) {
            BenchmarkParams p = r.getParams();
            if (!p.getBenchmark().equals(NORM_BENCHMARK)) {
                continue;
            }
            double ms = r.getPrimaryResult().getScore();
            double copy = copyMs.getOrDefault(p.getParam("dtype") + "/" + p.getParam("threads"), Double.NaN);
            BenchPass pass = BenchPass.parse(p.getParam("pass"));
            DType dtype = DType.parse(p.getParam("dtype"));
            int units = group.bytesModel().units(pass);
            rows.add(BenchResult.kernel(group.norm(), group.shapeText(), dtype.label(), pass.id(), p.getParam("face"),
                    BenchMask.parse(p.getParam("mask")).id(), Integer.parseInt(p.getParam("threads")), ms,
                    r.getPrimaryResult().getScoreError(), copy, units,
                    BytesModel.gigabytesPerSecond(units, numel, dtype, ms)));
        }
        return rows;
    }

    static List<BenchResult> trainingRows(Collection<RunResult> runs) {
        List<BenchResult> rows = new ArrayList<>();
        for (RunResult r : runs) {
            BenchmarkParams p = r.getParams();
            double error = r.getPrimaryResult().getScoreError();
            rows.add(BenchResult.training(p.getParam("net"), p.getParam("norm"),
                    BenchPlan.faceLabel(p.getParam("norm"), p.getParam("face")),
                    Integer.parseInt(p.getParam("threads")), r.getPrimaryResult().getScore(),
                    Double.isFinite(error) ? error : Double.NaN,
                    r.getPrimaryResult().getStatistics().getPercentile(50), TrainingWorkload.BATCH));
        }
        return rows;
    }

    /** A benchmark that ended without a result, as a skip with JMH's reason. */
    private static BenchPlan.Skip failure(BenchmarkParams p, String reason) {
        String failed = "failed: " + reason;
        String threads = p.getParam("threads");
        if (p.getBenchmark().equals(TRAINING_BENCHMARK)) {
            return new BenchPlan.Skip(p.getParam("net"), p.getParam("norm"), null, null, null,
                    BenchPlan.faceLabel(p.getParam("norm"), p.getParam("face")), null, threads, failed);
        }
        if (p.getBenchmark().equals(COPY_BENCHMARK)) {
            return new BenchPlan.Skip(null, "copy", p.getParam("shape"), p.getParam("dtype"), "*", "*", "*", threads,
                    failed);
        }
        return new BenchPlan.Skip(null, p.getParam("norm"), p.getParam("shape"), p.getParam("dtype"),
                p.getParam("pass"), p.getParam("face"), p.getParam("mask"), threads, failed);
    }
}
