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
 * Runs a {@link SuitePlan} through JMH's Runner API and turns the results into report rows.
 *
 * <p>One JMH run per (norm, shape) group holds that norm's benchmarks and the copy baselines of the same shape,
 * so every ratio to copy divides two figures measured minutes apart at most, on the same machine state. With
 * {@code forks >= 1} JMH starts a JVM per benchmark from here; with {@code forks == 0}, {@link #run} starts one
 * JVM ({@link JobMain}, job {@link BenchJob.Kernels}) that runs everything in turn, which is what makes a quick run of hundreds of
 * combinations fit in minutes.
 */
public final class SuiteRunner {
    static final String NORM_BENCHMARK = NormBenchmark.class.getName() + ".measure";
    static final String COPY_BENCHMARK = CopyBenchmark.class.getName() + ".copy";

    private SuiteRunner() {}

    /** Runs the plan as the settings say, printing one progress line per benchmark to {@code progress}. */
    public static BenchReport run(SuitePlan plan, RunSettings settings, PrintWriter progress) {
        if (settings.forks() == 0) {
            return SharedJvm.run(new BenchJob.Kernels(plan.selection(), settings), BenchReport.class,
                    settings.jvmArgs(), Map.of(), progress);
        }
        return runHere(plan, settings, progress, settings.forks(),
                "benchmark JVMs: " + String.join(" ", settings.jvmArgs()) + "; " + settings.describe());
    }

    /** Runs every benchmark inside this JVM (JMH forks = 0): the body of the one shared JVM, and of tests. */
    public static BenchReport runInThisJvm(SuitePlan plan, RunSettings settings, PrintWriter progress) {
        return runHere(plan, settings, progress, 0,
                "benchmark JVM: " + MachineInfo.thisJvmFlags() + "; " + settings.describe());
    }

    /** The JMH options of one group. */
    static Options options(SuitePlan.Group group, BenchSelection selection, RunSettings settings, int forks) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("^" + Pattern.quote(NORM_BENCHMARK) + "$")
                .include("^" + Pattern.quote(COPY_BENCHMARK) + "$")
                .param("norm", group.norm())
                .param("shape", group.shapeText())
                .param("dtype", selection.dtypes().stream().map(DType::label).toArray(String[]::new))
                .param("face", group.faces().stream().map(Face::id).toArray(String[]::new))
                .param("pass", selection.passes().stream().map(BenchPass::id).toArray(String[]::new))
                .param("threads", selection.threads().stream().map(String::valueOf).toArray(String[]::new))
                .mode(Mode.AverageTime)
                .timeUnit(TimeUnit.MILLISECONDS)
                .warmupIterations(settings.warmupIterations())
                .warmupTime(TimeValue.milliseconds(settings.warmupTime().toMillis()))
                .measurementIterations(settings.iterations())
                .measurementTime(TimeValue.milliseconds(settings.iterationTime().toMillis()))
                .forks(forks)
                .shouldFailOnError(false);
        if (forks > 0) {
            b.jvmArgs(settings.jvmArgs().toArray(String[]::new));
        }
        return b.build();
    }

    private static BenchReport runHere(SuitePlan plan, RunSettings settings, PrintWriter progress, int forks,
                                       String flags) {
        int total = plan.normCombos() + plan.copyCombos();
        progress.printf("normkit bench: %d norm × shape groups, %d norm benchmarks + %d copy baselines; %s%n",
                plan.groups().size(), plan.normCombos(), plan.copyCombos(), settings.describe());
        progress.flush();
        List<BenchResult> results = new ArrayList<>();
        List<SuitePlan.Skip> skipped = new ArrayList<>(plan.skipped());
        Map<String, String> specs = new LinkedHashMap<>();
        int done = 0;
        long start = System.nanoTime();
        for (SuitePlan.Group group : plan.groups()) {
            specs.put(group.norm() + " " + group.shapeText(), group.spec());
            ProgressFormat format = new ProgressFormat(progress, total, done, start);
            Collection<RunResult> runs;
            try {
                runs = new Runner(options(group, plan.selection(), settings, forks), format).run();
            } catch (RunnerException e) {
                throw new IllegalStateException("JMH could not run " + group.norm() + " " + group.shapeText() + ": "
                        + e.getMessage(), e);
            }
            done = format.done();
            results.addAll(rows(group, runs));
            format.failures().forEach((params, reason) -> skipped.add(failure(params, reason)));
        }
        return new BenchReport(MachineInfo.current(flags), settings.describe(),
                "org.normkit.autograd.parallel.KernelThreads.set(threads) before each trial", results,
                skipped, specs);
    }

    /** The norm rows of one group, each paired with the copy of the same dtype and threads from the same run. */
    static List<BenchResult> rows(SuitePlan.Group group, Collection<RunResult> runs) {
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
            rows.add(new BenchResult(group.norm(), group.shapeText(), dtype.label(), pass.id(), p.getParam("face"),
                    Integer.parseInt(p.getParam("threads")), ms, r.getPrimaryResult().getScoreError(), copy,
                    ms / copy, units, BytesModel.gigabytesPerSecond(units, numel, dtype, ms)));
        }
        return rows;
    }

    private static SuitePlan.Skip failure(BenchmarkParams p, String reason) {
        if (p.getBenchmark().equals(COPY_BENCHMARK)) {
            return new SuitePlan.Skip("copy", p.getParam("shape"), p.getParam("dtype"), "*", "*",
                    p.getParam("threads"), "failed: " + reason);
        }
        return new SuitePlan.Skip(p.getParam("norm"), p.getParam("shape"), p.getParam("dtype"), p.getParam("pass"),
                p.getParam("face"), p.getParam("threads"), "failed: " + reason);
    }

}
