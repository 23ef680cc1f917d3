package org.normkit.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.engine.RunOutcome;
import org.normkit.experiments.engine.RunTask;
import org.normkit.experiments.engine.RunTrainer;
import org.normkit.experiments.engine.Workers;

/**
 * Runs a grid on Apache Spark: each run is one Spark job of one task, so runs are scheduled on free executor cores
 * as they come free, a task that fails is retried by Spark ({@code spark.task.maxFailures}), and each run's rows
 * come back to the driver as soon as its job ends, to be appended to {@code results.csv} by the driver alone.
 *
 * <p>Why one job per run rather than one job for the grid: a job's results reach the driver only when all its tasks
 * end, so a driver killed an hour into a one-job grid would have recorded nothing; with one job per run it has
 * recorded every run that ended, and a rerun submits only the others.
 *
 * <p>An executor trains with {@link Workers#train}, which loads the data and the norms once per executor JVM, from
 * the paths the driver names (the data folder and plugin jars must exist at the same paths on every worker, or be
 * given to {@code spark-submit} with {@code --files}/{@code --jars}). A run whose job fails after Spark's retries is
 * a {@link RunOutcome.Status#FAILED failed} outcome carrying Spark's reason.
 */
public final class SparkEngine implements Engine {
    private static final long POLL_MILLIS = 20;

    private final JavaSparkContext context;
    private final boolean ownsContext;
    private final List<String> plugins;

    /**
     * @param context     the Spark context runs are submitted to
     * @param ownsContext whether {@link #close} stops it (false when the caller shares it, as tests do)
     * @param plugins     plugin jars every executor loads
     */
    public SparkEngine(JavaSparkContext context, boolean ownsContext, List<Path> plugins) {
        this.context = context;
        this.ownsContext = ownsContext;
        this.plugins = plugins.stream().map(Path::toString).toList();
    }

    @Override
    public void execute(List<RunTask> tasks, RunTrainer trainer, Listener listener) {
        List<String> workerPlugins = List.copyOf(new ArrayList<>(plugins));
        Map<RunTask, JavaFutureAction<List<RunOutcome>>> pending = new LinkedHashMap<>();
        for (RunTask task : tasks) {
            context.setJobDescription("normkit " + task.label());
            pending.put(task, context.parallelize(List.of(task), 1)
                    .map(t -> Workers.train(t, workerPlugins))
                    .collectAsync());
        }
        try {
            while (!pending.isEmpty()) {
                boolean any = false;
                for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                    var job = it.next();
                    if (job.getValue().isDone()) {
                        it.remove();
                        listener.finished(outcome(job.getKey(), job.getValue()));
                        any = true;
                    }
                }
                if (!any) {
                    Thread.sleep(POLL_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.values().forEach(job -> job.cancel(true));
            throw new IllegalStateException("interrupted while runs were training on Spark; the finished runs are "
                    + "in results.csv and a rerun submits the others", e);
        }
    }

    private static RunOutcome outcome(RunTask task, JavaFutureAction<List<RunOutcome>> job)
            throws InterruptedException {
        try {
            return job.get().get(0);
        } catch (ExecutionException e) {
            return RunOutcome.failed(task.key(), "Spark gave up on it: " + firstLine(e.getCause()));
        }
    }

    /** Spark's "Job aborted ... most recent failure: ...: java.lang.X: message", without the stack trace. */
    static String firstLine(Throwable e) {
        String message = e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage();
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }

    @Override
    public String describe() {
        return "spark, master " + context.master() + " (" + context.defaultParallelism() + " task slots, a failed "
                + "task tried up to " + context.getConf().get("spark.task.maxFailures", "4") + " times)";
    }

    @Override
    public void close() {
        if (ownsContext) {
            context.stop();
        }
    }
}
