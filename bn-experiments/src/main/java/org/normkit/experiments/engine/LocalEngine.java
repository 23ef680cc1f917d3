package org.normkit.experiments.engine;

import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default engine: runs train in this JVM, {@code parallel} at a time, each on its own thread (with the kernel
 * threads the grid asks for, one unless told otherwise). With {@code parallel} = 1 runs train one after the other on
 * the calling thread, which lets a progress bar show. A run that throws is recorded as failed with its message, and
 * the other runs go on; there are no retries, since a run depends on its seed alone and would fail again.
 */
public final class LocalEngine implements Engine {
    /** The engine's name for {@code --engine}. */
    public static final String NAME = "local";

    private final int parallel;

    public LocalEngine(int parallel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel " + parallel + " must be >= 1 (the number of runs that "
                    + "train at the same time)");
        }
        this.parallel = parallel;
    }

    public int parallel() {
        return parallel;
    }

    @Override
    public void execute(List<RunTask> tasks, RunTrainer trainer, Listener listener) {
        if (parallel == 1 || tasks.size() <= 1) {
            for (RunTask task : tasks) {
                listener.started(task);
                listener.finished(trainSafely(task, trainer, listener));
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, tasks.size()), runThreads());
        try {
            CompletionService<RunOutcome> done = new ExecutorCompletionService<>(pool);
            for (RunTask task : tasks) {
                done.submit(() -> trainSafely(task, trainer, listener));
            }
            for (int i = 0; i < tasks.size(); i++) {
                listener.finished(done.take().get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while runs were training; the finished runs are in "
                    + "results.csv and a rerun trains the others", e);
        } catch (ExecutionException e) {
            // trainSafely catches what a run throws, so this is a bug of the engine itself.
            throw new IllegalStateException("the local engine lost a run: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static RunOutcome trainSafely(RunTask task, RunTrainer trainer, Listener listener) {
        try {
            return trainer.train(task, listener::line, listener::epoch);
        } catch (RuntimeException | StackOverflowError e) {
            return RunOutcome.failed(task.key(), describe(e));
        }
    }

    /** An error's message, or its class when it has none, on one line. */
    static String describe(Throwable e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        return message.replace('\n', ' ');
    }

    private static ThreadFactory runThreads() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "normkit-run-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String describe() {
        return NAME + ", " + parallel + (parallel == 1 ? " run" : " runs") + " at a time";
    }

    @Override
    public boolean showsProgress() {
        return parallel == 1;
    }
}
